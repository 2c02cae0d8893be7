package org.sluice.bench.content;

import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.sluice.policy.content.ContentInput;

/**
 * One way an algorithm could try to ship protected rows out, as generated requests, with what the attacker's
 * server does to get the cells back (so a test can show that each request really leaks what it claims to).
 *
 * @param name       short name, as in the report
 * @param how        one line: what the requests carry and how
 * @param caughtIn   the configurations expected to refuse it ({@link EvaluationConfigs}); empty when Sluice is not
 *                   expected to catch it at all (the report says so with numbers)
 * @param jobs       how many jobs the evaluation generates
 * @param generator  one job's requests from rows drawn with the given random source
 * @param receiver   the attacker's receiving end: the text it recovers from one request
 */
record Attack(String name, String how, Set<String> caughtIn, int jobs, Generator generator,
              Function<ContentInput, String> receiver) {

    Attack {
        caughtIn = Set.copyOf(caughtIn);
    }

    /** Generates one job's requests. */
    @FunctionalInterface
    interface Generator {
        Exfiltration job(ProtectedDataSet data, Random random);
    }
}
