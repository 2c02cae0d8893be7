package org.sluice.proxy.metrics;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sluice's Prometheus metrics on a registry of its own (never the library's static default), so that two
 * servers in one JVM, as in tests, do not share counters. The JVM's own metrics are one set per process, on a
 * registry of their own that every instance's scrape includes. No metric keeps exemplars: Sluice has no traces to
 * link them to, and their sampler was about 4% of the CPU profile of a proxied GET.
 */
public final class SluiceMetrics {

    /** The content type of {@link #writeText}: Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    /** Seconds; from sub-millisecond local refusals to the default 30 s upstream response timeout. */
    static final double[] DURATION_BUCKETS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
    };

    private static final String[] STATUS_CODES = new String[600];
    /** The counted results of a policy reload, present from the start so that rate() and alerts work at once. */
    private static final List<String> RELOAD_RESULTS = List.of("ok", "error", "restart_required");
    private static final List<String> CONTENT_OUTCOMES = List.of("passed", "refused", "reported");
    /**
     * The content checks that can refuse a request, and {@code error} for a check that failed to run (refused all
     * the same); any other name is counted as {@code other}, so that the label stays bounded.
     */
    private static final List<String> CONTENT_CHECKS =
            List.of("types", "jsonSchema", "json", "protectedData", "decode", "opaque", "error", "other");

    static {
        for (int i = 100; i < STATUS_CODES.length; i++) {
            STATUS_CODES[i] = Integer.toString(i);
        }
    }

    /**
     * The JVM metrics, registered once per process, at the first scrape: {@link JvmMetrics} keeps every registry it
     * is given in a static set for good, so registering them with each instance's registry kept every instance's
     * metrics alive. Not at start: with JMX and {@code java.lang.management} they were about 400 of the classes a
     * start loaded and 4 MiB of a sidecar's idle RSS, and they listen to every garbage collection, for a scrape
     * that may never come. {@code jvm_memory_pool_allocated_bytes_total} therefore counts from the first scrape.
     */
    private static final class JvmRegistry {
        static final PrometheusRegistry JVM = new PrometheusRegistry();

        static {
            JvmMetrics.builder().register(JVM);
        }
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter textFormat = PrometheusTextFormatWriter.create();
    private final Counter requests;
    private final Histogram duration;
    private final Counter requestBodyBytes;
    private final Counter requestBytesSent;
    private final Histogram upstreamDuration;
    private final Counter responseBodyBytes;
    private final Gauge connections;
    private final Counter budgetRefusals;
    private final Counter connectionsRefused;
    private final Counter auditWriteFailures;
    private final Counter auditRecordsDropped;
    private final Info policyInfo;
    private final Info buildInfo;
    private final Counter policyReloads;
    private final Counter contentChecked;
    private final Counter contentRefused;
    private final Counter contentBytes;
    private final Map<String, ListenerSeries> byListener = new ConcurrentHashMap<>();

    /** Metrics with Netty's default allocator ({@link ByteBufAllocator#DEFAULT}) as the one reported. */
    public SluiceMetrics() {
        this(AllocatorGauges.defaultAllocator());
    }

    /** Metrics reporting the memory of the given allocator (the one the server's channels use). */
    public SluiceMetrics(ByteBufAllocatorMetricProvider allocator) {
        this(allocator, SluiceBuild.version());
    }

    /** Same, with {@code version} as {@code sluice_build_info{version}}. */
    SluiceMetrics(ByteBufAllocatorMetricProvider allocator, String version) {
        Objects.requireNonNull(allocator, "allocator");
        requests = Counter.builder()
                .name("sluice_requests_total")
                .help("Requests finished, by listener, decision and the HTTP status the client got")
                .labelNames("listener", "decision", "code")
                .withoutExemplars()
                .register(registry);
        duration = Histogram.builder()
                .name("sluice_request_duration_seconds")
                .help("Time from the request head to the last response byte")
                .unit(Unit.SECONDS)
                .labelNames("listener")
                .classicOnly()
                .classicUpperBounds(DURATION_BUCKETS)
                .withoutExemplars()
                .register(registry);
        requestBodyBytes = Counter.builder()
                .name("sluice_request_body_bytes_total")
                .help("Request body bytes forwarded upstream (a tunnel: bytes relayed from the client)")
                .unit(Unit.BYTES)
                .labelNames("listener")
                .withoutExemplars()
                .register(registry);
        requestBytesSent = Counter.builder()
                .name("sluice_upstream_request_bytes_total")
                .help("Request bytes sent upstream: request line, headers and body as forwarded (a tunnel: bytes "
                        + "relayed from the client); what byte budgets charge")
                .unit(Unit.BYTES)
                .labelNames("listener")
                .withoutExemplars()
                .register(registry);
        upstreamDuration = Histogram.builder()
                .name("sluice_upstream_duration_seconds")
                .help("Time from asking for an upstream connection (pooled or new) to the upstream's response head; "
                        + "only requests the upstream answered")
                .unit(Unit.SECONDS)
                .labelNames("listener")
                .classicOnly()
                .classicUpperBounds(DURATION_BUCKETS)
                .withoutExemplars()
                .register(registry);
        responseBodyBytes = Counter.builder()
                .name("sluice_response_body_bytes_total")
                .help("Response body bytes sent to clients")
                .unit(Unit.BYTES)
                .labelNames("listener")
                .withoutExemplars()
                .register(registry);
        connections = Gauge.builder()
                .name("sluice_connections_active")
                .help("Client connections currently open, by listener")
                .labelNames("listener")
                .withoutExemplars()
                .register(registry);
        connectionsRefused = Counter.builder()
                .name("sluice_connections_refused_total")
                .help("Client connections answered 503 and closed because they were over a cap: "
                        + "max_connections (gateway.maxConnections) or max_connections_per_client")
                .labelNames("reason")
                .withoutExemplars()
                .register(registry);
        budgetRefusals = Counter.builder()
                .name("sluice_budget_refusals_total")
                .help("Requests and tunnels refused 429 budget_exceeded, by the budget that was used up: client, "
                        + "job (per window), job_total or task")
                .labelNames("scope")
                .withoutExemplars()
                .register(registry);
        for (String scope : List.of("client", "job", "job_total", "task")) {
            budgetRefusals.initLabelValues(scope);
        }
        for (String listener : List.of("gateway", "forward")) {
            connections.initLabelValues(listener);
        }
        connectionsRefused.initLabelValues("max_connections");
        connectionsRefused.initLabelValues("max_connections_per_client");
        auditWriteFailures = Counter.builder()
                .name("sluice_audit_write_failures_total")
                .help("Failed attempts to write or force the audit log")
                .withoutExemplars()
                .register(registry);
        auditRecordsDropped = Counter.builder()
                .name("sluice_audit_records_dropped_total")
                .help("Audit records that were never written: the writer's queue was full (with onFailure: allow, "
                        + "while writes failed), or they were still queued when a stop gave up waiting")
                .withoutExemplars()
                .register(registry);
        policyInfo = Info.builder()
                .name("sluice_policy_info")
                .help("The policy in force: hash is the SHA-256 of its config file, as in the audit records")
                .labelNames("hash")
                .register(registry);
        buildInfo = Info.builder()
                .name("sluice_build_info")
                .help("The Sluice build serving: its version")
                .labelNames("version")
                .register(registry);
        buildInfo.setLabelValues(version);
        policyReloads = Counter.builder()
                .name("sluice_policy_reloads_total")
                .help("Policy reload attempts by result: ok, error (unreadable or invalid file), restart_required "
                        + "(a key only a restart applies changed); a file equal to the policy in force is not counted")
                .labelNames("result")
                .withoutExemplars()
                .register(registry);
        for (String result : RELOAD_RESULTS) {
            policyReloads.initLabelValues(result);
        }
        contentChecked = Counter.builder()
                .name("sluice_content_checked_total")
                .help("Requests a rule's content checks looked at, by outcome: passed, refused (403 content_refused) "
                        + "or reported (would have been refused; let through in report mode)")
                .labelNames("outcome")
                .withoutExemplars()
                .register(registry);
        contentRefused = Counter.builder()
                .name("sluice_content_refused_total")
                .help("Requests a content check refused, or would have in report mode, by check: types, jsonSchema, "
                        + "json, protectedData (per request or cumulative), decode, opaque, error (the check failed)")
                .labelNames("check")
                .withoutExemplars()
                .register(registry);
        contentBytes = Counter.builder()
                .name("sluice_content_bytes_total")
                .help("Request body bytes the content checks inspected (before decoding)")
                .unit(Unit.BYTES)
                .withoutExemplars()
                .register(registry);
        for (String outcome : CONTENT_OUTCOMES) {
            contentChecked.initLabelValues(outcome);
        }
        for (String check : CONTENT_CHECKS) {
            contentRefused.initLabelValues(check);
        }
        AllocatorGauges.register(allocator, registry);
    }

    /** Counts one finished request: status, duration and body bytes; as many bytes sent upstream as body bytes. */
    public void requestFinished(String listener, String decision, int status, long durationNanos,
                                long reqBytes, long respBytes) {
        requestFinished(listener, decision, status, durationNanos, reqBytes, respBytes, reqBytes);
    }

    /**
     * Counts one finished request: status, duration, body bytes, and every request byte sent upstream
     * ({@code reqBytesSent}: request line, headers and body).
     */
    public void requestFinished(String listener, String decision, int status, long durationNanos,
                                long reqBytes, long respBytes, long reqBytesSent) {
        ListenerSeries series = series(listener);
        series.requests(decision, status).inc();
        series.duration.observe(Math.max(0, durationNanos) / 1e9);
        if (reqBytes > 0) {
            series.requestBodyBytes.inc(reqBytes);
        }
        if (respBytes > 0) {
            series.responseBodyBytes.inc(respBytes);
        }
        if (reqBytesSent > 0) {
            series.requestBytesSent.inc(reqBytesSent);
        }
    }

    /** The time from asking for an upstream connection to the upstream's response head, for one request. */
    public void upstreamAnswered(String listener, long nanos) {
        series(listener).upstreamDuration.observe(Math.max(0, nanos) / 1e9);
    }

    private ListenerSeries series(String listener) {
        ListenerSeries series = byListener.get(listener);
        return series != null ? series : byListener.computeIfAbsent(listener, ListenerSeries::new);
    }

    /**
     * One listener's time series, looked up once: labelValues() builds a label list and searches a map on every
     * call, which was a tenth of the allocation per proxied request.
     */
    private final class ListenerSeries {
        private static final List<String> DECISIONS = List.of("allow", "deny", "report");

        final String listener;
        final DistributionDataPoint duration;
        final CounterDataPoint requestBodyBytes;
        final CounterDataPoint requestBytesSent;
        final DistributionDataPoint upstreamDuration;
        final CounterDataPoint responseBodyBytes;
        /** By decision index and status code; filled as combinations occur (a lost race only repeats a look-up). */
        private final CounterDataPoint[][] requests = new CounterDataPoint[DECISIONS.size()][STATUS_CODES.length];

        ListenerSeries(String listener) {
            this.listener = listener;
            this.duration = SluiceMetrics.this.duration.labelValues(listener);
            this.requestBodyBytes = SluiceMetrics.this.requestBodyBytes.labelValues(listener);
            this.requestBytesSent = SluiceMetrics.this.requestBytesSent.labelValues(listener);
            this.upstreamDuration = SluiceMetrics.this.upstreamDuration.labelValues(listener);
            this.responseBodyBytes = SluiceMetrics.this.responseBodyBytes.labelValues(listener);
        }

        CounterDataPoint requests(String decision, int status) {
            int d = DECISIONS.indexOf(decision);
            if (d < 0 || status < 0 || status >= STATUS_CODES.length) {
                return SluiceMetrics.this.requests.labelValues(listener, decision, statusLabel(status));
            }
            CounterDataPoint point = requests[d][status];
            if (point == null) {
                point = SluiceMetrics.this.requests.labelValues(listener, decision, statusLabel(status));
                requests[d][status] = point;
            }
            return point;
        }
    }

    /** Registers sluice_tunnels_open, read from {@code open} at each scrape (forward listener only). */
    public void tunnelsOpen(IntSupplier open) {
        GaugeWithCallback.builder()
                .name("sluice_tunnels_open")
                .help("CONNECT tunnels open now, from the CONNECT's acceptance to the connection's close "
                        + "(forward.maxTunnels caps it)")
                .callback(cb -> cb.call(open.getAsInt()))
                .register(registry);
    }

    /** A request or tunnel refused 429 by an egress budget; scope: client, job, job_total or task. */
    public void budgetRefused(String scope) {
        budgetRefusals.labelValues(scope).inc();
    }

    /**
     * One request the content checks looked at: {@code outcome} passed, refused or reported; {@code check} the check
     * that refused it or would have (null when it passed); {@code bytes} the body bytes inspected.
     */
    public void contentChecked(String outcome, String check, long bytes) {
        contentChecked.labelValues(CONTENT_OUTCOMES.contains(outcome) ? outcome : "refused").inc();
        if (check != null) {
            contentRefused.labelValues(CONTENT_CHECKS.contains(check) ? check : "other").inc();
        }
        if (bytes > 0) {
            contentBytes.inc(bytes);
        }
    }

    /** A client connection opened on {@code listener} ("gateway", "forward"). */
    public void connectionOpened(String listener) {
        connections.labelValues(listener).inc();
    }

    public void connectionClosed(String listener) {
        connections.labelValues(listener).dec();
    }

    /** A connection over a cap; {@code reason} is max_connections or max_connections_per_client. */
    public void connectionRefused(String reason) {
        connectionsRefused.labelValues(reason).inc();
    }

    public void auditWriteFailure() {
        auditWriteFailures.inc();
    }

    /** Counts audit records that were never written; called on event loops, so it must stay non-blocking. */
    public void auditRecordsDropped(long records) {
        auditRecordsDropped.inc(records);
    }

    /** Sets {@code sluice_policy_info{hash}}: the policy now in force. */
    public void policyInForce(String hash) {
        policyInfo.setLabelValues(hash);
    }

    /** Counts one reload attempt; {@code result} is ok, error or restart_required. */
    public void policyReloaded(String result) {
        policyReloads.labelValues(result).inc();
    }

    /** Writes all metrics in the Prometheus text format 0.0.4 ({@link #CONTENT_TYPE}); does not close {@code out}. */
    public void writeText(OutputStream out) throws IOException {
        MetricSnapshots.Builder all = MetricSnapshots.builder();
        registry.scrape().forEach(all::metricSnapshot);
        JvmRegistry.JVM.scrape().forEach(all::metricSnapshot);
        textFormat.write(out, all.build());
    }

    /** This instance's own registry (not the JVM metrics'), for tests. */
    PrometheusRegistry registry() {
        return registry;
    }

    private static String statusLabel(int status) {
        return status >= 100 && status < STATUS_CODES.length ? STATUS_CODES[status] : Integer.toString(status);
    }
}
