package org.sluice.policy.content;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Stage (e) and the input of (f): every piece of text a request carries, handed to the scanner (when the rule has
 * {@code protectedData}), and every embedded encoded span taken apart first: base64 and base64url (16 characters
 * or more, padded or not, MIME and JSON-escaped line breaks skipped), hex (16 digits or more), percent-encoding, and
 * inside those gzip, zlib or zstd by magic number. Each decoded piece is walked again, so nesting is followed to
 * {@code decode.maxLayers} (Content-Encoding layers count too), and every decoded byte is charged to the same
 * {@link DecodeBudget}.
 *
 * <p>A decoded span is kept when it is UTF-8 text, starts like a compressed stream, or is binary of 64 bytes or
 * more (then its entropy is measured); shorter binary (a hash in hex, a long word that happens to be base64) is
 * dropped: it carries no text. Kept pieces are named by their chain of layers, outermost first, joined by '>':
 * {@code base64}, {@code base64>gzip}, {@code percent>base64url>zstd}.
 *
 * <p>Not thread-safe: one per inspection.
 */
final class ContentWalk {
    private static final int MIN_SPAN = 16;
    private static final int MIN_BINARY = 64;
    private static final int MAX_CHAINS = 16;

    private static final boolean[] BASE64 = new boolean[256];
    private static final byte[] SEXTET = new byte[256];

    static {
        String letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < letters.length(); i++) {
            BASE64[letters.charAt(i)] = true;
            SEXTET[letters.charAt(i)] = (byte) i;
        }
        for (char c : "+/-_".toCharArray()) {
            BASE64[c] = true;
        }
        SEXTET['+'] = 62;
        SEXTET['-'] = 62;
        SEXTET['/'] = 63;
        SEXTET['_'] = 63;
    }

    private final DecodeBudget budget;
    private final ProtectedDataScanner scanner;
    private final ProtectedFindings findings;
    private final boolean measureEntropy;
    private final double opaqueEntropy;
    private final Set<String> chains = new LinkedHashSet<>();
    private byte[] scratch = new byte[1024];

    private double bodyEntropy = -1;
    private boolean bodyOpaque;
    private double spanEntropy = -1;
    private boolean spanOpaque;

    /**
     * @param scanner        the rule's scanner, or null when the walk only measures entropy
     * @param measureEntropy measure the body's and the binary spans' entropy (for {@code opaque})
     */
    ContentWalk(DecodeBudget budget, ProtectedDataScanner scanner, ProtectedFindings findings,
            boolean measureEntropy, double opaqueEntropy) {
        this.budget = budget;
        this.scanner = scanner;
        this.findings = findings;
        this.measureEntropy = measureEntropy;
        this.opaqueEntropy = opaqueEntropy;
    }

    /**
     * Walks the body (after its Content-Encoding): a body that is itself a compressed stream (sent without saying
     * so) is inflated first, and its entropy is measured after that.
     *
     * @param depth the layers already taken off (Content-Encoding)
     * @param form  the body is form-encoded ('+' is a space)
     */
    void body(byte[] b, int len, ProtectedDataScanner.Syntax syntax, int depth, boolean form) {
        String chain = null;
        String compression = Sniffer.compression(b, 0, len);
        while (compression != null) {
            Decompressor.Decoded inner = Decompressor.tryDecode(compression, b, 0, len, budget);
            if (inner == null) {
                break;
            }
            budget.enterLayer(++depth);
            chain = join(chain, compression);
            b = inner.bytes();
            len = inner.length();
            syntax = Sniffer.textSyntax(b, 0, len);
            compression = Sniffer.compression(b, 0, len);
        }
        if (chain != null) {
            addChain(chain);
        }
        if (measureEntropy) {
            bodyEntropy = Entropy.bitsPerByte(b, 0, len);
            bodyOpaque = bodyEntropy >= opaqueEntropy && !Utf8.isValid(b, 0, len);
        }
        if (form && chain == null) {
            // as the server will read it: each name and value decoded on its own
            formParts(b, 0, len, depth);
            if (scanner != null) {
                scanner.scan(b, 0, len, syntax, findings);
            }
            return;
        }
        piece(b, 0, len, syntax, chain, depth, false);
    }

    /** Walks the query string: each name and value percent-decoded, then the whole query decoded. */
    void query(String query) {
        if (query == null || query.isEmpty()) {
            return;
        }
        byte[] raw = query.getBytes(StandardCharsets.UTF_8);
        formParts(raw, 0, raw.length, 0);
        if (scanner != null) {
            byte[] whole = percentDecode(raw, 0, raw.length, true);
            scanner.scan(whole, 0, whole.length, ProtectedDataScanner.Syntax.TEXT, findings);
        }
    }

    /** Walks each name and each value of {@code a=b&c=d} text, percent-decoded ('+' is a space), as text. */
    private void formParts(byte[] raw, int off, int len, int depth) {
        int start = off;
        for (int i = off; i <= off + len; i++) {
            if (i == off + len || raw[i] == '&' || raw[i] == '=') {
                if (i > start) {
                    byte[] part = percentDecode(raw, start, i - start, true);
                    piece(part, 0, part.length, ProtectedDataScanner.Syntax.TEXT, null, depth, false);
                }
                start = i + 1;
            }
        }
    }

    /** Walks each forwarded header value as text. */
    void headers(List<String> values) {
        for (String value : values) {
            byte[] raw = value.getBytes(StandardCharsets.UTF_8);
            piece(raw, 0, raw.length, ProtectedDataScanner.Syntax.TEXT, null, 0, false);
        }
    }

    /** The kept pieces' chains of layers, in the order first found (at most 16). */
    Set<String> chains() {
        return chains;
    }

    /** The body's entropy after decoding, or -1 when not measured. */
    double bodyEntropy() {
        return bodyEntropy;
    }

    boolean bodyOpaque() {
        return bodyOpaque;
    }

    /** The highest entropy of an embedded binary span of 64 bytes or more, or -1 when there was none. */
    double spanEntropy() {
        return spanEntropy;
    }

    boolean spanOpaque() {
        return spanOpaque;
    }

    private void piece(byte[] b, int off, int len, ProtectedDataScanner.Syntax syntax, String chain, int depth,
            boolean plusIsSpace) {
        if (scanner != null) {
            scanner.scan(b, off, len, syntax, findings);
        }
        if (hasPercentEscape(b, off, len)) {
            // the spans are looked for in the decoded copy only: it holds every span the original holds
            byte[] decoded = percentDecode(b, off, len, plusIsSpace);
            budget.charge(decoded.length);
            budget.enterLayer(depth + 1);
            String inner = join(chain, "percent");
            addChain(inner);
            piece(decoded, 0, decoded.length, Sniffer.textSyntax(decoded, 0, decoded.length), inner, depth + 1,
                    false);
            return;
        }
        spans(b, off, len, chain, depth);
    }

    private void spans(byte[] b, int off, int len, String chain, int depth) {
        int end = off + len;
        int i = off;
        while (i < end) {
            if (!BASE64[b[i] & 0xff]) {
                i++;
                continue;
            }
            // most runs are words: skip those shorter than a span without copying them, unless an escaped slash
            // joins them to what follows
            int plain = i;
            while (plain < end && BASE64[b[plain] & 0xff]) {
                plain++;
            }
            if (plain - i < MIN_SPAN && !(plain + 1 < end && b[plain] == '\\' && b[plain + 1] == '/')) {
                i = plain + 1;
                continue;
            }
            int n = 0;
            boolean hexOnly = true;
            boolean url = false;
            boolean std = false;
            int j = i;
            while (j < end) {
                int c = b[j] & 0xff;
                if (BASE64[c]) {
                    n = put(n, c);
                    hexOnly &= Hex.value((byte) c) >= 0;
                    url |= c == '-' || c == '_';
                    std |= c == '+' || c == '/';
                    j++;
                } else if (c == '\\' && j + 1 < end && b[j + 1] == '/') {
                    n = put(n, '/'); // a JSON-escaped slash
                    hexOnly = false;
                    std = true;
                    j += 2;
                } else if (n >= MIN_SPAN && (c == '\n' || c == '\r') && j + 1 < end
                        && (BASE64[b[j + 1] & 0xff] || b[j + 1] == '\n')) {
                    j++; // MIME line breaks
                } else if (n >= MIN_SPAN && c == '\\' && j + 2 < end && (b[j + 1] == 'n' || b[j + 1] == 'r')
                        && (BASE64[b[j + 2] & 0xff] || b[j + 2] == '\\')) {
                    j += 2; // line breaks escaped in a JSON string
                } else {
                    break;
                }
            }
            while (j < end && b[j] == '=') {
                j++;
            }
            i = j;
            if (n < MIN_SPAN || url && std && !hexOnly) {
                continue;
            }
            if (hexOnly) {
                span(hex(n & ~1), "hex", chain, depth);
            } else {
                span(base64(n % 4 == 1 ? n - 1 : n), url ? "base64url" : "base64", chain, depth);
            }
        }
    }

    private void span(byte[] decoded, String layer, String chain, int depth) {
        budget.charge(decoded.length);
        int len = decoded.length;
        boolean text = Utf8.isText(decoded, 0, len);
        // a character or two stuck to the end of a span decode to a junk last byte: text before it is still text
        for (int cut = 1; !text && cut <= 2 && len - cut >= MIN_SPAN / 2; cut++) {
            if (Utf8.isText(decoded, 0, len - cut)) {
                text = true;
                len -= cut;
            }
        }
        String compression = text ? null : Sniffer.compression(decoded, 0, len);
        if (!text && compression == null && len < MIN_BINARY) {
            return; // a hash, an id, a long word: no text in it
        }
        budget.enterLayer(depth + 1);
        String here = join(chain, layer);
        if (compression != null) {
            Decompressor.Decoded inner = Decompressor.tryDecode(compression, decoded, 0, len, budget);
            if (inner != null) {
                budget.enterLayer(depth + 2);
                String deeper = join(here, compression);
                addChain(deeper);
                byte[] ib = inner.bytes();
                int il = inner.length();
                if (!Utf8.isText(ib, 0, il)) {
                    measureSpan(ib, il);
                }
                piece(ib, 0, il, Sniffer.textSyntax(ib, 0, il), deeper, depth + 2, false);
                return;
            }
            if (len < MIN_BINARY) {
                return;
            }
        }
        addChain(here);
        if (!text) {
            measureSpan(decoded, len);
        }
        piece(decoded, 0, len, text ? Sniffer.textSyntax(decoded, 0, len) : ProtectedDataScanner.Syntax.TEXT,
                here, depth + 1, false);
    }

    private void measureSpan(byte[] b, int len) {
        if (!measureEntropy || len < MIN_BINARY) {
            return;
        }
        double h = Entropy.bitsPerByte(b, 0, len);
        spanEntropy = Math.max(spanEntropy, h);
        spanOpaque |= h >= opaqueEntropy && !Utf8.isValid(b, 0, len);
    }

    private int put(int n, int c) {
        if (n == scratch.length) {
            scratch = java.util.Arrays.copyOf(scratch, n * 2);
        }
        scratch[n] = (byte) c;
        return n + 1;
    }

    private byte[] hex(int n) {
        byte[] out = new byte[n / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (Hex.value(scratch[2 * i]) << 4 | Hex.value(scratch[2 * i + 1]));
        }
        return out;
    }

    private byte[] base64(int n) {
        byte[] out = new byte[n * 3 / 4];
        int o = 0;
        int acc = 0;
        int bits = 0;
        for (int i = 0; i < n; i++) {
            acc = acc << 6 | SEXTET[scratch[i] & 0xff];
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[o++] = (byte) (acc >> bits);
            }
        }
        return o == out.length ? out : java.util.Arrays.copyOf(out, o);
    }

    private static boolean hasPercentEscape(byte[] b, int off, int len) {
        for (int i = off; i + 2 < off + len; i++) {
            if (b[i] == '%' && Hex.value(b[i + 1]) >= 0 && Hex.value(b[i + 2]) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static byte[] percentDecode(byte[] b, int off, int len, boolean plusIsSpace) {
        byte[] out = new byte[len];
        int o = 0;
        for (int i = off; i < off + len; i++) {
            byte c = b[i];
            if (c == '%' && i + 2 < off + len && Hex.value(b[i + 1]) >= 0 && Hex.value(b[i + 2]) >= 0) {
                out[o++] = (byte) (Hex.value(b[i + 1]) << 4 | Hex.value(b[i + 2]));
                i += 2;
            } else {
                out[o++] = plusIsSpace && c == '+' ? (byte) ' ' : c;
            }
        }
        return o == len ? out : java.util.Arrays.copyOf(out, o);
    }

    private void addChain(String chain) {
        if (chains.size() < MAX_CHAINS) {
            chains.add(chain);
        }
    }

    private static String join(String chain, String layer) {
        return chain == null ? layer : chain + ">" + layer;
    }
}
