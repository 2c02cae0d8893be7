package org.sluice.policy.content;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Declared media types: their essence ({@code type/subtype}, parameters stripped, lower case), whether a rule's
 * {@code types:} list allows them, and what the bytes of each kind must look like. A table, so that a type is one
 * line.
 */
final class MediaTypes {

    /** What a declared type promises about the bytes. */
    enum Kind {
        /** One JSON value in UTF-8 ({@code application/json}, {@code *+json}). */
        JSON,
        /** {@code application/x-www-form-urlencoded}: ASCII names and values, {@code %XX} escapes. */
        FORM,
        /** {@code text/*}: UTF-8 without NUL. */
        TEXT,
        /** A binary format that starts with its magic number (see {@link #MAGIC}). */
        BINARY,
        /** Nothing checkable (application/octet-stream, multipart, ...). */
        OTHER
    }

    /** Declared binary types and the format their bytes must sniff as ({@link Sniffer}). */
    private static final Map<String, String> MAGIC = Map.of(
            "image/png", "png",
            "image/jpeg", "jpeg",
            "image/gif", "gif",
            "image/webp", "webp",
            "application/gzip", "gzip",
            "application/x-gzip", "gzip",
            "application/zip", "zip",
            "application/pdf", "pdf",
            "application/zstd", "zstd",
            "application/vnd.apache.parquet", "parquet");

    /** Types a reason may name: they come from this table, not from the request. */
    private static final Set<String> NAMEABLE = Set.of(
            "application/json", "application/x-www-form-urlencoded", "application/octet-stream", "text/plain",
            "text/csv", "text/tab-separated-values", "text/html", "text/xml", "application/xml",
            "multipart/form-data", "image/png", "image/jpeg", "image/gif", "image/webp", "application/gzip",
            "application/x-gzip", "application/zip", "application/pdf", "application/zstd",
            "application/vnd.apache.parquet", "application/problem+json", "application/ld+json");

    private MediaTypes() {
    }

    /** The essence of a Content-Type value: before any ';', trimmed, lower case; "" when there is none. */
    static String essence(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        String type = semi < 0 ? contentType : contentType.substring(0, semi);
        return type.trim().toLowerCase(Locale.ROOT);
    }

    static Kind kind(String essence) {
        if (essence.equals("application/json") || essence.endsWith("+json")) {
            return Kind.JSON;
        }
        if (essence.equals("application/x-www-form-urlencoded")) {
            return Kind.FORM;
        }
        if (essence.startsWith("text/")) {
            return Kind.TEXT;
        }
        return MAGIC.containsKey(essence) ? Kind.BINARY : Kind.OTHER;
    }

    /** The format a declared binary type's bytes must start with, or null when the type is not in the table. */
    static String requiredMagic(String essence) {
        return MAGIC.get(essence);
    }

    /** The type as a reason may say it: itself when it is a well-known one, else a neutral phrase. */
    static String nameable(String essence) {
        return NAMEABLE.contains(essence) ? essence : "of another type";
    }

    /** The scanner's syntax for a body of this declared type (JSON, CSV, TSV; else sniffed). */
    static ProtectedDataScanner.Syntax syntax(String essence, byte[] b, int off, int len) {
        if (kind(essence) == Kind.JSON) {
            return ProtectedDataScanner.Syntax.JSON;
        }
        if (essence.equals("text/csv")) {
            return ProtectedDataScanner.Syntax.CSV;
        }
        if (essence.equals("text/tab-separated-values")) {
            return ProtectedDataScanner.Syntax.TSV;
        }
        return Sniffer.textSyntax(b, off, len);
    }

    /** Whether form bytes are well-formed: URL characters only, every '%' followed by two hex digits. */
    static boolean isForm(byte[] b, int off, int len) {
        int end = off + len;
        for (int i = off; i < end; i++) {
            int c = b[i] & 0xff;
            if (c == '%') {
                if (i + 2 >= end || Hex.value(b[i + 1]) < 0 || Hex.value(b[i + 2]) < 0) {
                    return false;
                }
                i += 2;
            } else if (!FORM_CHARS[c]) {
                return false;
            }
        }
        return true;
    }

    private static final boolean[] FORM_CHARS = new boolean[256];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            FORM_CHARS[c] = true;
            FORM_CHARS[Character.toUpperCase(c)] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            FORM_CHARS[c] = true;
        }
        for (char c : "-._~*+&=!$'(),;:@/?".toCharArray()) {
            FORM_CHARS[c] = true;
        }
    }

    /** A rule's {@code types:} list, matched on a type's essence; {@code type/*} allows the whole type. */
    static final class Allowed {
        private final Set<String> exact = new HashSet<>();
        private final Set<String> wholeTypes = new HashSet<>();
        private final boolean any;

        Allowed(List<String> types) {
            boolean anyType = false;
            for (String t : types) {
                String e = essence(t);
                if (e.equals("*/*")) {
                    anyType = true;
                } else if (e.endsWith("/*")) {
                    wholeTypes.add(e.substring(0, e.length() - 1));
                } else {
                    exact.add(e);
                }
            }
            this.any = anyType;
        }

        boolean allows(String essence) {
            if (essence.isEmpty() || essence.indexOf('/') <= 0) {
                return false;
            }
            return any || exact.contains(essence) || wholeTypes.contains(essence.substring(0, essence.indexOf('/') + 1));
        }
    }
}
