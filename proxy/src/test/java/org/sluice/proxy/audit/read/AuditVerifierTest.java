package org.sluice.proxy.audit.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kinds of damage the CLI tests do not reach, checked on the report itself. */
class AuditVerifierTest {

    @TempDir
    Path folder;

    private static List<String> sixRequests() {
        ChainedLog log = ChainedLog.genesis("node-a", null);
        for (int i = 1; i <= 6; i++) {
            log.request(Req.get("/api/task/" + i).at("2026-11-23T09:00:0" + i + ".000Z"));
        }
        return log.lines();
    }

    private ChainReport verify(List<String> lines) throws IOException {
        Path file = ChainedLog.write(folder.resolve("audit.jsonl"), lines);
        VerifyReport report = AuditVerifier.withoutKey().verify(List.of(file));
        assertThat(report.chains()).hasSize(1);
        return report.chains().get(0);
    }

    @Test
    void anIntactChainCountsEverything() throws IOException {
        ChainReport chain = verify(sixRequests());

        assertThat(chain.intact()).isTrue();
        assertThat(chain.stats().records()).isEqualTo(6);
        assertThat(chain.stats().fromGenesis()).isTrue();
        assertThat(chain.stats().afterCheckpoint()).isEqualTo(6);
        assertThat(chain.stats().earliestTs()).isEqualTo("2026-11-23T09:00:01.000Z");
        assertThat(chain.stats().latestTs()).isEqualTo("2026-11-23T09:00:06.000Z");
    }

    @Test
    void aCopiedLineIsAnInsertedRecord() throws IOException {
        List<String> lines = new ArrayList<>(sixRequests());
        lines.add(2, lines.get(1));
        List<String> later = new ArrayList<>(sixRequests());
        later.add(1, later.get(4));

        assertThat(verify(lines).damage().message()).endsWith(":3: inserted record: a copy of the line before it ("
                + folder.resolve("audit.jsonl") + ":2, seq 2); keep these files as evidence and compare them with a "
                + "backup or an exported copy");
        assertThat(verify(later).damage().message()).contains(":2: inserted record: a copy of the record at ")
                .contains(":6 (seq 5)");
    }

    @Test
    void aReplacedFirstRecordIsABadStart() throws IOException {
        List<String> lines = new ArrayList<>(sixRequests());
        lines.set(0, ChainedLog.withPrev(lines.get(0), "0".repeat(64)));

        ChainReport chain = verify(lines);

        assertThat(chain.damage().kind()).isEqualTo("bad chain start");
        assertThat(chain.damage().where()).endsWith("audit.jsonl:1");
    }

    @Test
    void aLineMovedDownIsOutOfOrder() throws IOException {
        List<String> lines = new ArrayList<>(sixRequests());
        lines.add(4, lines.remove(1));   // seq 1, 3, 4, 5, 2, 6

        ChainReport chain = verify(lines);

        assertThat(chain.damage().kind()).isEqualTo("out of order");
        assertThat(chain.damage().message()).contains(":2: out of order: seq 3 comes before seq 2 (at ");
    }

    @Test
    void aRenumberedLineIsAChangedRecord() throws IOException {
        List<String> lines = new ArrayList<>(sixRequests());
        lines.set(3, ChainedLog.rehash(lines.get(3).replace("\"seq\":4,", "\"seq\":40,")));

        ChainReport chain = verify(lines);

        assertThat(chain.damage().kind()).isEqualTo("record changed");
        assertThat(chain.damage().message()).contains(":4: record changed: seq 40 follows seq 3 although its prev "
                + "links to it");
    }

    @Test
    void theLastLineReplacedByAnotherIsNamedAtThatLine() throws IOException {
        List<String> lines = new ArrayList<>(sixRequests());
        lines.set(5, ChainedLog.withPrev(lines.get(5), "1".repeat(64)));

        ChainReport chain = verify(lines);

        assertThat(chain.damage().kind()).isEqualTo("record changed");
        assertThat(chain.damage().message()).contains(":6: record changed: its prev does not match the hash of the "
                + "line before it");
    }
}
