package org.sluice.policy;

/** How a value from a policy file or a request is quoted in a message: on one line, and not at any length. */
public final class Echo {

    private Echo() {}

    /** The text with control characters (line breaks among them) as '?', cut to max characters and "...". */
    public static String shorten(String text, int max) {
        String oneLine = text.replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "...";
    }
}
