package org.sluice.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The request headers a rule lets through to the upstream: {@link #DEFAULT_NAMES} plus the rule's own
 * {@code headers} list. The proxy strips every other request header before forwarding. Names compare without
 * regard to case; looking one up allocates nothing.
 */
public final class HeaderAllowlist {

    /**
     * Forwarded under every rule: what an ordinary HTTP client sends to an API. Hop-by-hop headers (Connection,
     * Keep-Alive, TE, Upgrade, ...) are handled by the proxy itself and never forwarded as sent.
     */
    public static final List<String> DEFAULT_NAMES = List.of(
            "accept", "accept-encoding", "accept-language", "authorization", "cache-control", "content-encoding",
            "content-length", "content-type", "host", "if-match", "if-modified-since", "if-none-match",
            "if-range", "if-unmodified-since", "pragma", "range", "transfer-encoding", "user-agent");

    /** Only the default names. */
    public static final HeaderAllowlist DEFAULT = new HeaderAllowlist(List.of());

    private final List<String> names;
    /** names by length, so that a lookup compares only names of the right length. */
    private final String[][] byLength;

    private HeaderAllowlist(Collection<String> extra) {
        Set<String> all = new LinkedHashSet<>(DEFAULT_NAMES);
        extra.forEach(name -> all.add(name.toLowerCase(Locale.ROOT)));
        this.names = List.copyOf(all);
        int longest = all.stream().mapToInt(String::length).max().orElse(0);
        List<List<String>> lists = new ArrayList<>();
        for (int i = 0; i <= longest; i++) {
            lists.add(new ArrayList<>());
        }
        all.forEach(name -> lists.get(name.length()).add(name));
        this.byLength = lists.stream().map(list -> list.toArray(String[]::new)).toArray(String[][]::new);
    }

    /** The default names plus extra (any case; an empty collection gives {@link #DEFAULT}). */
    public static HeaderAllowlist of(Collection<String> extra) {
        return extra.isEmpty() ? DEFAULT : new HeaderAllowlist(extra);
    }

    /** True when a request header with this name is forwarded. */
    public boolean allows(CharSequence name) {
        int length = name.length();
        if (length >= byLength.length) {
            return false;
        }
        for (String candidate : byLength[length]) {
            if (equalsIgnoreAsciiCase(candidate, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean equalsIgnoreAsciiCase(String lower, CharSequence name) {
        for (int i = 0; i < lower.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Every name let through, lower case: the defaults first, then the rule's own. */
    public List<String> names() {
        return names;
    }

    @Override
    public String toString() {
        return "HeaderAllowlist" + names;
    }
}
