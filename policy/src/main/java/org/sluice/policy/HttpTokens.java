package org.sluice.policy;

/** RFC 9110 tokens: what an HTTP method or a header name may be made of. */
public final class HttpTokens {

    /** tchar besides letters and digits. */
    private static final String SYMBOLS = "!#$%&'*+-.^_`|~";

    private HttpTokens() {}

    /** True when text is a non-empty run of tchar. */
    public static boolean isToken(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || SYMBOLS.indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
