package org.sluice.bench.content;

import java.util.Random;
import org.sluice.policy.content.ContentInput;

/**
 * One kind of request an allowed algorithm sends in normal work (a partial sum, a histogram, a small model, a
 * status poll), with values computed from the protected data set.
 *
 * @param name      short name, as in the report
 * @param what      one line: what the requests carry
 * @param requests  how many the evaluation generates
 * @param generator one request from a part of the data chosen with the given random source
 */
record LegitimateKind(String name, String what, int requests, Generator generator) {

    /** Generates one request. */
    @FunctionalInterface
    interface Generator {
        ContentInput request(ProtectedDataSet data, Random random);
    }
}
