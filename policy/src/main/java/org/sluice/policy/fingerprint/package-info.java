/**
 * Fingerprints of a protected data set: {@link org.sluice.policy.fingerprint.CellNormalizer} puts a cell value
 * in the one form it is matched in, {@link org.sluice.policy.fingerprint.CsvReader} reads the data set strictly,
 * {@link org.sluice.policy.fingerprint.FingerprintIndexBuilder} turns its rows into a salted, non-reversible
 * {@link org.sluice.policy.fingerprint.FingerprintIndex} of rare values and row pairs, which reads and writes the
 * {@code .sfp} file described in docs/content-checks.md. Pure Java: no Netty, no I/O besides streams it is given.
 */
package org.sluice.policy.fingerprint;
