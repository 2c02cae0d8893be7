package org.sluice.policy.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {

    private static List<List<String>> readAll(String text) throws Exception {
        CsvReader reader = new CsvReader(new StringReader(text));
        List<List<String>> records = new ArrayList<>();
        records.add(reader.header());
        for (List<String> record = reader.next(); record != null; record = reader.next()) {
            records.add(record);
        }
        return records;
    }

    @Test
    void quotedFieldsHoldCommasLineBreaksAndDoubledQuotes() throws Exception {
        assertThat(readAll("id,note\r\n1,\"a, b\"\r\n2,\"say \"\"hi\"\"\"\n3,\"two\r\nlines\"\n4,\"\"\n"))
                .containsExactly(List.of("id", "note"), List.of("1", "a, b"), List.of("2", "say \"hi\""),
                        List.of("3", "two\r\nlines"), List.of("4", ""));
    }

    @Test
    void lfAndCrlfMixAndTheLastLineBreakIsOptional() throws Exception {
        assertThat(readAll("a,b\n1,2\r\n3,4")).containsExactly(List.of("a", "b"), List.of("1", "2"), List.of("3", "4"));
        assertThat(readAll("a,b\r\n,\r\n")).containsExactly(List.of("a", "b"), List.of("", ""));
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstColumnName() throws Exception {
        assertThat(readAll("\uFEFFid,x\n1,2\n").get(0)).containsExactly("id", "x");
    }

    @Test
    void aRaggedRowNamesItsLine() {
        assertThatThrownBy(() -> readAll("a,b,c\n1,2,3\n\"x\ny\",2,3\n4,5\n"))
                .isInstanceOf(CsvFormatException.class)
                .hasMessageStartingWith("this row has 2 field(s), the header has 3")
                .satisfies(e -> assertThat(((CsvFormatException) e).line()).isEqualTo(5));
        assertThatThrownBy(() -> readAll("a,b\n1,2,3\n"))
                .satisfies(e -> assertThat(((CsvFormatException) e).line()).isEqualTo(2));
        assertThatThrownBy(() -> readAll("a,b\n1,2\n\n"))
                .as("a blank line is a row of one empty field").hasMessageContaining("has 1 field(s)");
    }

    @Test
    void aHeaderTheIndexCannotStoreIsRefusedOnLineOne() throws Exception {
        String longName = "n".repeat(CsvReader.MAX_NAME_BYTES + 1);
        assertThatThrownBy(() -> readAll("id," + longName + "\n1,2\n"))
                .isInstanceOf(CsvFormatException.class)
                .hasMessageContaining("a column name is longer than 1024 bytes")
                .satisfies(e -> assertThat(((CsvFormatException) e).line()).isEqualTo(1));
        assertThat(readAll("id," + "n".repeat(CsvReader.MAX_NAME_BYTES) + "\n1,2\n")).hasSize(2);
        String wide = String.join(",", java.util.Collections.nCopies(CsvReader.MAX_COLUMNS + 1, "c"));
        assertThatThrownBy(() -> readAll(wide + "\n"))
                .isInstanceOf(CsvFormatException.class)
                .hasMessageContaining("more than the 65535 an index can hold");
    }

    @Test
    void anUnterminatedQuoteNamesTheLineItOpenedOn() {
        assertThatThrownBy(() -> readAll("a,b\n1,2\n3,\"never\nclosed,4\n5,6\n"))
                .isInstanceOf(CsvFormatException.class)
                .hasMessageStartingWith("a quoted field opened on this line is never closed")
                .satisfies(e -> assertThat(((CsvFormatException) e).line()).isEqualTo(3));
    }

    @Test
    void strayQuotesAndLoneCarriageReturnsAreErrorsNotGuesses() {
        assertThatThrownBy(() -> readAll("a,b\n1,ab\"c\n")).hasMessageStartingWith("a quote inside an unquoted field")
                .satisfies(e -> assertThat(((CsvFormatException) e).line()).isEqualTo(2));
        assertThatThrownBy(() -> readAll("a,b\n1,\"ab\"c\n")).hasMessageStartingWith("text after a closing quote");
        assertThatThrownBy(() -> readAll("a,b\r1,2\n")).hasMessageStartingWith("a carriage return without");
    }

    @Test
    void anEmptyFileHasNoHeader() {
        assertThatThrownBy(() -> readAll("")).hasMessageStartingWith("the file is empty");
    }
}
