package org.sluice.proxy.audit.read;

/**
 * Something verify found at a place in the log: damage (the check fails) or a warning (a torn write).
 *
 * @param kind    what it is, e.g. "record changed", "torn write (crash)"
 * @param where   FILE:LINE, or FILE when it concerns a whole file
 * @param message the whole finding in one line: what, where, and what to do
 */
public record Finding(String kind, String where, String message) {
}
