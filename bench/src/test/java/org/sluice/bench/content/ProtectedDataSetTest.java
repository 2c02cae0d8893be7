package org.sluice.bench.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.policy.fingerprint.CsvReader;

class ProtectedDataSetTest {

    @Test
    void theSameSeedGivesTheSameRowsAndAnotherSeedOthers() {
        assertThat(ProtectedDataSet.generate(500, 7).rows()).isEqualTo(ProtectedDataSet.generate(500, 7).rows());
        assertThat(ProtectedDataSet.generate(500, 8).rows()).isNotEqualTo(ProtectedDataSet.generate(500, 7).rows());
    }

    @Test
    void identifiersAreUniqueAndNationalIdsPassTheElevenTest() {
        ProtectedDataSet data = Fixtures.data();
        Set<String> patients = new HashSet<>();
        Set<String> nationals = new HashSet<>();
        List<String> bad = new ArrayList<>();
        for (PatientRow row : data.rows()) {
            patients.add(row.patientId());
            nationals.add(row.nationalId());
            if (!row.patientId().matches("P-[0-9]{7}") || !row.nationalId().matches("[1-9][0-9]{8}")
                    || !passesElevenTest(row.nationalId())) {
                bad.add(row.patientId() + " " + row.nationalId());
            }
        }
        assertThat(bad).isEmpty();
        assertThat(data.size()).isEqualTo(100_000);
        assertThat(patients).hasSize(data.size());
        assertThat(nationals).hasSize(data.size());
    }

    private static boolean passesElevenTest(String id) {
        int sum = 0;
        for (int i = 0; i < 8; i++) {
            sum += (9 - i) * (id.charAt(i) - '0');
        }
        return (sum - (id.charAt(8) - '0')) % 11 == 0;
    }

    @Test
    void namesNotesAndInvoicesAreMostlyRareAndTheCategoriesAreCommon() {
        ProtectedDataSet data = Fixtures.data();
        DataOracle oracle = Fixtures.oracle();
        int rareNames = 0;
        int rareNotes = 0;
        int rareInvoices = 0;
        int rareWeights = 0;
        int rareCategories = 0;
        for (PatientRow row : data.rows().subList(0, 10_000)) {
            rareNames += oracle.rare(row.name()) ? 1 : 0;
            rareNotes += oracle.rare(row.note()) ? 1 : 0;
            rareInvoices += oracle.rare(row.invoice()) ? 1 : 0;
            rareWeights += oracle.rare(row.weightKg()) ? 1 : 0;
            rareCategories += oracle.rows(row.diagnosis()) < 1_000 || oracle.rows(row.sex()) < 40_000 ? 1 : 0;
        }
        assertThat(rareCategories).as("rows whose diagnosis or sex is in few rows").isZero();
        assertThat(rareNames).isGreaterThan(9_000);
        assertThat(rareNotes).isGreaterThan(8_000);
        assertThat(rareInvoices).isGreaterThan(8_000);
        assertThat(rareWeights).as("weights are common, except a few far out").isLessThan(100);
    }

    @Test
    void theCsvReadsBackStrictlyRowForRow(@TempDir Path dir) throws Exception {
        ProtectedDataSet data = ProtectedDataSet.generate(2_000, 3);
        Path csv = dir.resolve("patients.csv");
        data.writeCsv(csv);

        List<List<String>> read = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            CsvReader reader = new CsvReader(in);
            assertThat(reader.header()).isEqualTo(PatientRow.COLUMNS);
            for (List<String> row = reader.next(); row != null; row = reader.next()) {
                read.add(row);
            }
        }
        assertThat(read).isEqualTo(data.rows().stream().map(PatientRow::cells).toList());
        assertThat(read).anyMatch(row -> row.get(10).contains(","));
    }
}
