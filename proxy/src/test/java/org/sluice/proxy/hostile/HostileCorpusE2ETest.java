package org.sluice.proxy.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawRecordingUpstream;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.TestSluice;
import org.sluice.proxy.testing.UpstreamStream;

/**
 * Every hostile request of the corpus against a real Sluice, sent whole and split over several TCP writes: each
 * gets the statuses the corpus expects, and, at the end, the upstream's raw byte streams must be exactly the
 * requests the audit log says were forwarded (same id, method, path and body SHA-256), nothing more.
 */
class HostileCorpusE2ETest {
    /** Cases up to this size are also sent in pieces; larger ones (the size-limit cases) only whole. */
    private static final int SPLIT_MAX = 4096;
    private static final int PIECES = 7;

    private static RawRecordingUpstream upstream;
    private static TestSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        upstream = RawRecordingUpstream.start();
        sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), """
                rules:
                  - name: small-upload
                    methods: [POST]
                    paths: ["/api/small"]
                    limits: { maxRequestBodyBytes: 16 }
                  - name: api
                    methods: [GET, POST, OPTIONS]
                    paths: ["/api/**"]
                """));
    }

    @AfterAll
    static void stop() {
        sluice.close();
        upstream.close();
    }

    @TestFactory
    Stream<DynamicTest> eachCaseGetsItsStatusesAndTheUpstreamOnlyWhatWasDecided() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (HostileCorpus c : HostileCorpus.load()) {
            tests.add(DynamicTest.dynamicTest(c.name() + " (whole)", () -> run(c, 1)));
            if (c.raw().length <= SPLIT_MAX) {
                tests.add(DynamicTest.dynamicTest(c.name() + " (split)", () -> run(c, PIECES)));
            }
        }
        tests.add(DynamicTest.dynamicTest("the upstream received exactly the forwarded requests", this::oracle));
        return tests.stream();
    }

    private static void run(HostileCorpus c, int pieces) throws Exception {
        List<Integer> statuses = new ArrayList<>();
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            byte[] raw = c.raw();
            int step = Math.max(1, (raw.length + pieces - 1) / pieces);
            try {
                for (int from = 0; from < raw.length; from += step) {
                    connection.send(Arrays.copyOfRange(raw, from, Math.min(raw.length, from + step)));
                    if (pieces > 1) {
                        Thread.sleep(2); // separate TCP segments
                    }
                }
            } catch (SocketException e) {
                // Sluice refused the request and closed before the rest was sent; its answer is still readable.
            }
            while (statuses.size() < c.expected().size()) {
                RawResponse response;
                try {
                    response = connection.readResponse();
                } catch (EOFException | SocketException e) {
                    statuses.add(-1); // closed without an answer
                    break;
                }
                if (response.status() >= 200) {
                    statuses.add(response.status());
                }
            }
        }
        assertThat(statuses).as(c.name()).isEqualTo(c.expected());
    }

    private void oracle() {
        // Every record is written when its exchange ends; the last cases' records may still be on their way.
        List<Map<String, Object>> records = sluice.awaitAudit(1);
        Map<String, Map<String, Object>> byId = new HashMap<>();
        for (Map<String, Object> record : records) {
            byId.put((String) record.get("id"), record);
        }
        List<UpstreamStream.Request> received = new ArrayList<>();
        for (byte[] stream : upstream.streams()) {
            received.addAll(UpstreamStream.parse(stream));
        }
        for (UpstreamStream.Request request : received) {
            String id = request.headers().get("x-sluice-request-id");
            Map<String, Object> record = byId.get(id);
            assertThat(record).as("audit record of upstream request %s %s", request.method(), request.target())
                    .isNotNull();
            assertThat(record.get("upstream")).as(id).isNotNull();
            assertThat(record.get("method")).as(id).isEqualTo(request.method());
            String path = request.target().contains("?")
                    ? request.target().substring(0, request.target().indexOf('?')) : request.target();
            assertThat(record.get("path")).as(id).isEqualTo(path);
            assertThat(record.get("reqSha256")).as(id).isEqualTo(request.bodySha256());
        }
        assertThat(received).as("the corpus has allowed requests too").hasSizeGreaterThan(50);
        long forwarded = records.stream().filter(r -> r.get("upstream") != null).count();
        assertThat(received).as("upstream requests vs audit records with an upstream").hasSize((int) forwarded);
    }
}
