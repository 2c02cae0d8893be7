package org.sluice.bench.content;

import java.time.LocalDate;
import java.util.List;

/**
 * One row of the evaluation's protected data set: what a hospital's table of patients might hold. Numbers are
 * kept in integer units (tenths of a kilogram, cents) so that the CSV and every attack write them exactly.
 *
 * @param patientId    unique, {@code P-0012345}
 * @param nationalId   a 9-digit citizen number that passes the Dutch BSN eleven-test; unique
 * @param name         first and last name from lists; most full names are in at most 3 rows
 * @param birthDate    between 1930 and 2009
 * @param sex          {@code F} or {@code M}
 * @param postcode     4 digits (about 11 rows each: a quasi-identifier, not an identifier)
 * @param diagnosis    an ICD-10 chapter-like category code
 * @param weightTenths weight in tenths of a kilogram (one decimal)
 * @param systolicBp   systolic blood pressure, mmHg
 * @param invoiceCents the last invoice, in cents (two decimals)
 * @param note         a short free-text note
 */
record PatientRow(String patientId, String nationalId, String name, LocalDate birthDate, String sex,
                  String postcode, String diagnosis, int weightTenths, int systolicBp, long invoiceCents,
                  String note) {

    /** Column names, in CSV and index order. */
    static final List<String> COLUMNS = List.of("patient_id", "national_id", "name", "birth_date", "sex",
            "postcode", "diagnosis", "weight_kg", "systolic_bp", "invoice", "note");

    /** The cells as the CSV writes them, in {@link #COLUMNS} order. */
    List<String> cells() {
        return List.of(patientId, nationalId, name, birthDate.toString(), sex, postcode, diagnosis, weightKg(),
                String.valueOf(systolicBp), invoice(), note);
    }

    /** The weight with one decimal, {@code 72.4}. */
    String weightKg() {
        return decimal(weightTenths, 1);
    }

    /** The invoice with two decimals, {@code 1234.50}. */
    String invoice() {
        return decimal(invoiceCents, 2);
    }

    double weight() {
        return weightTenths / 10.0;
    }

    double invoiceAmount() {
        return invoiceCents / 100.0;
    }

    /** Age in whole years on a fixed day, so that aggregates do not change with the date the run is made. */
    int ageOn(LocalDate day) {
        // what Period.between(...).getYears() gives, without building a Period per call
        boolean birthdayToCome = birthDate.getMonthValue() > day.getMonthValue()
                || birthDate.getMonthValue() == day.getMonthValue() && birthDate.getDayOfMonth() > day.getDayOfMonth();
        return day.getYear() - birthDate.getYear() - (birthdayToCome ? 1 : 0);
    }

    /** {@code units / 10^places} written with exactly that many decimals ("12.30"). */
    static String decimal(long units, int places) {
        String digits = Long.toString(Math.abs(units));
        String padded = "0".repeat(Math.max(0, places + 1 - digits.length())) + digits;
        return (units < 0 ? "-" : "") + padded.substring(0, padded.length() - places) + "."
                + padded.substring(padded.length() - places);
    }
}
