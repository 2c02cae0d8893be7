package org.sluice.bench.content;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.sluice.policy.fingerprint.FingerprintIndex;
import org.sluice.policy.fingerprint.FingerprintIndexBuilder;

/**
 * The evaluation's protected data set: a seeded, generated table of patients (identifiers, names, dates,
 * categories, measurements, amounts and free text), the same for the same seed and size on every machine. It is
 * written as CSV for {@code sluice fingerprint build} and kept in memory for the attack and legitimate suites.
 */
final class ProtectedDataSet {

    /** The size of the reported run: issue 18 asks for at least 100,000 rows. */
    static final int REPORTED_ROWS = 100_000;
    static final long SEED = 18;
    /** The day ages are counted on, fixed so that a run does not depend on when it is made. */
    static final LocalDate AGE_DAY = LocalDate.of(2026, 12, 1);

    private static final String[] FIRST_NAMES = ("Anna Emma Sophie Julia Lotte Sara Eva Lisa Fleur Noor Tess Mila "
            + "Zoe Iris Lieke Femke Sanne Maud Evi Anouk Yara Fenna Roos Lynn Nina Amira Fatima Hanna Ingrid Marieke "
            + "Petra Johanna Wilma Greetje Aaltje Daan Sem Lucas Levi Finn Luuk Milan Jesse Bram Thijs Lars Ruben "
            + "Sander Jeroen Pieter Jan Kees Henk Willem Gerrit Hendrik Mohamed Youssef Ahmed Omar Noah Liam Tim "
            + "Bas Koen Joost Maarten Stefan Erik Frank Hans Rik Wouter Arjen Gijs Olivier Victor Tobias").split(" ");
    private static final String[] SURNAME_ROOTS = ("Jansen Vries Bakker Visser Smit Meijer Mulder Bos Vos Peters "
            + "Hendriks Dekker Brouwer Dijk Wit Dijkstra Smits Graaf Meer Linden Kok Jacobs Haan Vermeulen Heuvel "
            + "Veen Broek Bruijn Berg Schouten Beek Willems Vliet Hoekstra Maas Verhoeven Koster Prins Leeuwen "
            + "Pauw Bosch Huisman Kuipers Wijk Molenaar Veldman Postma Kramer Timmermans Groot").split(" ");
    private static final String[] SURNAME_PREFIXES = {"", "de ", "van ", "van der ", "van den "};
    private static final String[] DIAGNOSES = ("A09 B34 C50 C61 D50 E11 E66 F32 F41 G43 G47 H10 I10 I20 I48 I50 "
            + "J06 J18 J45 K21 K29 K80 L40 M17 M54 N18 N39 O80 R51 S52").split(" ");
    private static final String[] SYMPTOMS = ("chest pain|fever|dry cough|rash on both arms|dizziness|fatigue|nausea"
            + "|ankle swelling|shortness of breath|back pain|headache|abdominal pain|palpitations|joint pain"
            + "|blurred vision|insomnia|low mood|weight loss|wheezing|sore throat|burning on urination|itching"
            + "|numb fingers|knee pain|night sweats|heartburn|tremor|anxiety|cold feet|bleeding gums").split("\\|");
    private static final String[] COURSES = ("stable|improved|worse|unchanged|resolved|referred to cardiology"
            + "|referred to neurology|admitted|discharged home|started metformin|dose increased|dose halved").split("\\|");

    private final List<PatientRow> rows;

    private ProtectedDataSet(List<PatientRow> rows) {
        this.rows = List.copyOf(rows);
    }

    /** {@code size} rows drawn from a generator seeded with {@code seed}. */
    static ProtectedDataSet generate(int size, long seed) {
        Random random = new Random(seed);
        Set<String> nationalIds = new HashSet<>();
        List<PatientRow> rows = new ArrayList<>(size);
        LocalDate firstBirth = LocalDate.of(1930, 1, 1);
        int birthDays = (int) firstBirth.until(LocalDate.of(2010, 1, 1), java.time.temporal.ChronoUnit.DAYS);
        for (int i = 0; i < size; i++) {
            // a multiplier coprime to 10^7 spreads the ids without repeating one
            String digits = Long.toString((i * 7919L + 104_729L) % 10_000_000L);
            String patientId = "P-" + "0".repeat(7 - digits.length()) + digits;
            String nationalId;
            do {
                nationalId = nationalId(random);
            } while (!nationalIds.add(nationalId));
            String name = FIRST_NAMES[random.nextInt(FIRST_NAMES.length)] + " " + (char) ('A' + random.nextInt(26))
                    + ". " + SURNAME_PREFIXES[random.nextInt(SURNAME_PREFIXES.length)]
                    + SURNAME_ROOTS[random.nextInt(SURNAME_ROOTS.length)];
            LocalDate birth = firstBirth.plusDays(random.nextInt(birthDays));
            String sex = random.nextBoolean() ? "F" : "M";
            String postcode = String.valueOf(1000 + random.nextInt(9000));
            String diagnosis = DIAGNOSES[random.nextInt(DIAGNOSES.length)];
            int weightTenths = (int) Math.round(clamp(78 + 16 * random.nextGaussian(), 40, 160) * 10);
            int systolic = (int) Math.round(clamp(128 + 17 * random.nextGaussian(), 85, 210));
            long invoiceCents = Math.max(500, Math.round(Math.exp(6.5 + random.nextGaussian()) * 100));
            String note = SYMPTOMS[random.nextInt(SYMPTOMS.length)] + " for " + (1 + random.nextInt(90)) + " days, "
                    + COURSES[random.nextInt(COURSES.length)] + "; follow-up in " + (1 + random.nextInt(12))
                    + " weeks";
            rows.add(new PatientRow(patientId, nationalId, name, birth, sex, postcode, diagnosis, weightTenths,
                    systolic, invoiceCents, note));
        }
        return new ProtectedDataSet(rows);
    }

    /** Eight random digits and the ninth that makes the Dutch eleven-test hold (a weighted sum divisible by 11). */
    private static String nationalId(Random random) {
        while (true) {
            int[] digits = new int[9];
            int sum = 0;
            for (int i = 0; i < 8; i++) {
                digits[i] = i == 0 ? 1 + random.nextInt(9) : random.nextInt(10);
                sum += (9 - i) * digits[i];
            }
            int last = sum % 11;  // sum - last is divisible by 11, and the last digit weighs -1
            if (last < 10) {
                digits[8] = last;
                StringBuilder id = new StringBuilder(9);
                for (int digit : digits) {
                    id.append(digit);
                }
                return id.toString();
            }
        }
    }

    private static double clamp(double value, double min, double max) {
        return Math.max(min, Math.min(max, value));
    }

    List<PatientRow> rows() {
        return rows;
    }

    int size() {
        return rows.size();
    }

    PatientRow row(int i) {
        return rows.get(i);
    }

    /** The fingerprint index of every row, as {@code sluice fingerprint build} makes it (a fresh salt). */
    FingerprintIndex buildIndex() {
        FingerprintIndexBuilder builder = FingerprintIndexBuilder.forColumns(PatientRow.COLUMNS);
        for (PatientRow row : rows) {
            builder.addRow(row.cells());
        }
        return builder.build();
    }

    /** The table as RFC 4180 CSV with a header line, in UTF-8, for {@code sluice fingerprint build --csv}. */
    void writeCsv(Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(String.join(",", PatientRow.COLUMNS));
            out.write("\r\n");
            for (PatientRow row : rows) {
                out.write(csvLine(row.cells(), ','));
                out.write("\r\n");
            }
        }
    }

    /** One line of cells joined by {@code separator}, a cell quoted when it holds the separator or a quote. */
    static String csvLine(List<String> cells, char separator) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                line.append(separator);
            }
            String cell = cells.get(i);
            if (cell.indexOf(separator) >= 0 || cell.indexOf('"') >= 0 || cell.indexOf('\n') >= 0) {
                line.append('"').append(cell.replace("\"", "\"\"")).append('"');
            } else {
                line.append(cell);
            }
        }
        return line.toString();
    }
}
