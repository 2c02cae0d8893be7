package org.sluice.bench.content;

/** The reported data set and its oracle, made once per test JVM: every test class reads the same rows. */
final class Fixtures {

    private static ProtectedDataSet data;
    private static DataOracle oracle;

    private Fixtures() {
    }

    static synchronized ProtectedDataSet data() {
        if (data == null) {
            data = ProtectedDataSet.generate(ProtectedDataSet.REPORTED_ROWS, ProtectedDataSet.SEED);
        }
        return data;
    }

    static synchronized DataOracle oracle() {
        if (oracle == null) {
            oracle = new DataOracle(data());
        }
        return oracle;
    }
}
