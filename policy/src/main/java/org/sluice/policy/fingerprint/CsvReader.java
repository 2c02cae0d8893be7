package org.sluice.policy.fingerprint;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * A strict RFC 4180 reader: comma-separated, fields in double quotes may hold commas, line breaks and {@code ""}
 * for a quote; records end in CRLF or LF; the first record is the header and every later one has as many fields.
 * Anything else (a ragged row, a quote inside an unquoted field, text after a closing quote, a quote never closed)
 * is a {@link CsvFormatException} naming the line, never a guess.
 */
public final class CsvReader {

    private static final int BYTE_ORDER_MARK = '\uFEFF';

    private final Reader in;
    /** The index file stores names and their count in 16 bits; names this long are a mistake anyway. */
    static final int MAX_NAME_BYTES = 1024;
    static final int MAX_COLUMNS = 65_535;

    private final List<String> header;
    private long line = 1;
    private int pushedBack = -2;

    /** Reads the header at once: a file without one is an error. */
    public CsvReader(Reader in) throws IOException, CsvFormatException {
        this.in = in;
        int first = read();
        if (first != BYTE_ORDER_MARK) {
            pushedBack = first;
        }
        List<String> names = readRecord();
        if (names == null) {
            throw new CsvFormatException(1, "the file is empty: the first line must be a header naming the columns");
        }
        if (names.size() > MAX_COLUMNS) {
            throw new CsvFormatException(1, "the header names " + names.size() + " columns, more than the "
                    + MAX_COLUMNS + " an index can hold: give only the columns to protect");
        }
        for (String name : names) {
            if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw new CsvFormatException(1, "a column name is longer than " + MAX_NAME_BYTES + " bytes: "
                        + "shorten it in the header (the index stores every name)");
            }
        }
        header = List.copyOf(names);
    }

    /** The column names, as written in the header. */
    public List<String> header() {
        return header;
    }

    /** The line the next record starts on. */
    public long line() {
        return line;
    }

    /** The next record, as many fields as the header, or null at the end of the file. */
    public List<String> next() throws IOException, CsvFormatException {
        long start = line;
        List<String> record = readRecord();
        if (record != null && record.size() != header.size()) {
            throw new CsvFormatException(start, "this row has " + record.size() + " field(s), the header has "
                    + header.size() + ": give every row as many fields as the header (quote a field that holds a "
                    + "comma)");
        }
        return record;
    }

    private List<String> readRecord() throws IOException, CsvFormatException {
        int c = read();
        if (c == -1) {
            return null;
        }
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        while (true) {
            if (c == '"' && field.isEmpty()) {
                c = readQuoted(field);
            } else {
                while (c != ',' && c != '\n' && c != '\r' && c != -1) {
                    if (c == '"') {
                        throw new CsvFormatException(line, "a quote inside an unquoted field: quote the whole "
                                + "field and write the quote as \"\"");
                    }
                    field.append((char) c);
                    c = read();
                }
            }
            fields.add(field.toString());
            field.setLength(0);
            if (c == ',') {
                c = read();
                continue;
            }
            endRecord(c);
            return fields;
        }
    }

    /** Reads a quoted field after its opening quote; returns the character after the closing quote. */
    private int readQuoted(StringBuilder field) throws IOException, CsvFormatException {
        long opened = line;
        while (true) {
            int c = read();
            if (c == -1) {
                throw new CsvFormatException(opened, "a quoted field opened on this line is never closed: close it "
                        + "with \" (a quote inside a quoted field is written \"\")");
            }
            if (c == '"') {
                int after = read();
                if (after != '"') {
                    if (after != ',' && after != '\n' && after != '\r' && after != -1) {
                        throw new CsvFormatException(line, "text after a closing quote: put the whole field in "
                                + "quotes and write a quote inside it as \"\"");
                    }
                    return after;
                }
            } else if (c == '\n') {
                line++;
            }
            field.append((char) c);
        }
    }

    private void endRecord(int c) throws IOException, CsvFormatException {
        if (c == '\r') {
            if (read() != '\n') {
                throw new CsvFormatException(line, "a carriage return without a line feed: end lines with CRLF "
                        + "or LF");
            }
            line++;
        } else if (c == '\n') {
            line++;
        }
    }

    private int read() throws IOException {
        if (pushedBack != -2) {
            int c = pushedBack;
            pushedBack = -2;
            return c;
        }
        return in.read();
    }
}
