package org.sluice.proxy.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Splits what an upstream received on one connection into requests, strictly: CRLF line ends, single-space request
 * lines, one Content-Length or {@code Transfer-Encoding: chunked}, nothing left over. Anything else throws, naming
 * the offset: an upstream stream that does not parse this way is one Sluice should never have produced.
 */
public final class UpstreamStream {

    /**
     * One request as received: method, target, headers (lower-case names, last wins), the body's length and its
     * SHA-256.
     */
    public record Request(String method, String target, Map<String, String> headers, int bodyLength,
            String bodySha256) {
    }

    /** What a connection received so far: the whole requests, and whether an unfinished one follows them. */
    public record Received(List<Request> requests, boolean unfinished) {
    }

    /** The stream ended inside a request: more bytes could still make it whole. */
    private static final class Unfinished extends IllegalStateException {
        Unfinished(String message) {
            super(message);
        }
    }

    private final byte[] bytes;
    private int p;

    private UpstreamStream(byte[] bytes) {
        this.bytes = bytes;
    }

    public static List<Request> parse(byte[] bytes) {
        UpstreamStream s = new UpstreamStream(bytes);
        List<Request> requests = new ArrayList<>();
        while (s.p < bytes.length) {
            requests.add(s.request());
        }
        return requests;
    }

    /**
     * Like {@link #parse}, for a connection that may still be receiving: the stream may end inside a request (its
     * head, or a body shorter than announced so far), which is then reported as unfinished rather than failing.
     */
    public static Received parseSoFar(byte[] bytes) {
        UpstreamStream s = new UpstreamStream(bytes);
        List<Request> requests = new ArrayList<>();
        while (s.p < bytes.length) {
            int start = s.p;
            try {
                requests.add(s.request());
            } catch (Unfinished e) {
                s.p = start;
                return new Received(requests, true);
            }
        }
        return new Received(requests, false);
    }

    private Request request() {
        String line = line();
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || !parts[2].equals("HTTP/1.1") || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw fail("request line '" + line + "'");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            if (colon <= 0 || header.charAt(0) == ' ' || header.charAt(0) == '\t'
                    || Character.isWhitespace(header.charAt(colon - 1))) {
                throw fail("header '" + header + "'");
            }
            String name = header.substring(0, colon).toLowerCase(Locale.ROOT);
            if (headers.put(name, header.substring(colon + 1).strip()) != null
                    && (name.equals("content-length") || name.equals("transfer-encoding") || name.equals("host"))) {
                throw fail("repeated " + name);
            }
        }
        String length = headers.get("content-length");
        String coding = headers.get("transfer-encoding");
        byte[] body;
        if (length != null && coding != null) {
            throw fail("both Content-Length and Transfer-Encoding");
        } else if (coding != null) {
            if (!coding.equals("chunked")) {
                throw fail("Transfer-Encoding " + coding);
            }
            body = chunked();
        } else if (length != null) {
            if (!length.matches("[0-9]{1,10}")) {
                throw fail("Content-Length " + length);
            }
            body = take(Integer.parseInt(length));
        } else {
            body = new byte[0];
        }
        return new Request(parts[0], parts[1], headers, body.length, sha256(body));
    }

    private byte[] chunked() {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        while (true) {
            String size = line();
            if (!size.matches("[0-9a-fA-F]{1,8}")) {
                throw fail("chunk size '" + size + "'");
            }
            int n = Integer.parseInt(size, 16);
            if (n == 0) {
                if (!line().isEmpty()) {
                    throw fail("trailer fields");
                }
                return body.toByteArray();
            }
            body.writeBytes(take(n));
            if (!line().isEmpty()) {
                throw fail("chunk not followed by CRLF");
            }
        }
    }

    private String line() {
        for (int i = p; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                String line = new String(bytes, p, i - p, StandardCharsets.ISO_8859_1);
                for (char c : line.toCharArray()) {
                    if (c == '\r' || c == '\n' || c == 0) {
                        throw fail("control character in a line");
                    }
                }
                p = i + 2;
                return line;
            }
        }
        throw new Unfinished("upstream stream at byte " + p + ": a line without CRLF");
    }

    private byte[] take(int n) {
        if (p + n > bytes.length) {
            throw new Unfinished("upstream stream at byte " + p + ": body shorter than announced");
        }
        byte[] taken = java.util.Arrays.copyOfRange(bytes, p, p + n);
        p += n;
        return taken;
    }

    private IllegalStateException fail(String what) {
        return new IllegalStateException("upstream stream at byte " + p + ": " + what);
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
