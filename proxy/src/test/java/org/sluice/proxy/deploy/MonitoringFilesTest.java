package org.sluice.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.metrics.SluiceMetrics;

/**
 * deploy/monitoring queries only what Sluice exports: every sluice_* name in the scrape config, the alerts and the
 * dashboard is a series of a real scrape of {@link SluiceMetrics}, with the labels and label values it has. A
 * dashboard panel on a metric that does not exist is empty forever and nobody notices; an alert on one never fires.
 */
class MonitoringFilesTest {

    private static final Path MONITORING = RepoFiles.root().resolve("deploy/monitoring");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern METRIC = Pattern.compile("\\bsluice_[a-z0-9_]+");
    /** A metric name followed by its matchers: sluice_x{a="b",c=~"d|e"}. */
    private static final Pattern SELECTOR = Pattern.compile("\\b(sluice_[a-z0-9_]+)\\{([^}]*)}");
    private static final Pattern MATCHER =
            Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"\\s*");
    private static final Pattern BY = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
    /** Labels Prometheus adds (job, instance) or prometheus.yml's relabelling and static labels add. */
    private static final Set<String> TARGET_LABELS =
            Set.of("job", "instance", "deployment", "namespace", "pod", "node");

    /** Every exported series name, with its label names and the values seen for each. */
    private static Map<String, Map<String, Set<String>>> exported;

    @BeforeAll
    static void scrapeEverySeries() throws IOException {
        SluiceMetrics metrics = new SluiceMetrics();
        for (String decision : List.of("allow", "deny", "report")) {
            metrics.requestFinished("gateway", decision, 200, 1_000_000, 10, 20);
            metrics.requestFinished("forward", decision, 403, 1_000_000, 10, 20);
        }
        metrics.connectionOpened("gateway");
        metrics.connectionOpened("forward");
        metrics.requestFinished("gateway", "allow", 200, 1_000_000, 10, 20, 200);
        metrics.upstreamAnswered("gateway", 1_000_000);
        metrics.connectionRefused("max_connections");
        metrics.tunnelsOpen(() -> 0);
        metrics.auditWriteFailure();
        metrics.auditRecordsDropped(1);
        metrics.policyInForce("ab".repeat(32));
        metrics.policyReloaded("ok");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        metrics.writeText(text);
        exported = parseScrape(text.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theScrapeHasTheSeriesTheReadmeLists() {
        assertThat(exported).containsKeys("sluice_requests_total", "sluice_request_duration_seconds_bucket",
                "sluice_request_duration_seconds_sum", "sluice_request_duration_seconds_count",
                "sluice_connections_active", "sluice_tunnels_open", "sluice_policy_info",
                "sluice_audit_write_failures_total", "sluice_build_info", "sluice_upstream_request_bytes_total",
                "sluice_upstream_duration_seconds_bucket");
    }

    @Test
    void everySluiceMetricTheMonitoringFilesUseIsExported() throws IOException {
        for (String file : List.of("prometheus.yml", "alerts.yml", "grafana-dashboard.json")) {
            Set<String> used = new TreeSet<>();
            Matcher m = METRIC.matcher(Files.readString(MONITORING.resolve(file)));
            while (m.find()) {
                used.add(m.group());
            }
            assertThat(used).as(file + " names metrics Sluice does not export; exported: " + exported.keySet())
                    .isSubsetOf(exported.keySet());
        }
    }

    @Test
    void everyExpressionUsesLabelsAndValuesTheSeriesHave() throws IOException {
        List<String> expressions = new ArrayList<>(alertExpressions());
        expressions.addAll(dashboardExpressions());

        for (String expr : expressions) {
            Matcher selector = SELECTOR.matcher(expr);
            while (selector.find()) {
                Map<String, Set<String>> labels = exported.getOrDefault(selector.group(1), Map.of());
                for (String matcher : selector.group(2).split(",")) {
                    Matcher label = MATCHER.matcher(matcher);
                    assertThat(label.matches()).as("matcher %s in %s", matcher, expr).isTrue();
                    String name = label.group(1);
                    if (TARGET_LABELS.contains(name)) {
                        continue;
                    }
                    assertThat(labels).as("%s has no label %s: %s", selector.group(1), name, expr).containsKey(name);
                    if (!label.group(3).contains("$")) {
                        // A literal or a plain alternation: each value must be one the series can have.
                        for (String value : label.group(3).split("\\|")) {
                            assertThat(labels.get(name)).as("%s=%s in %s", name, value, expr).contains(value);
                        }
                    }
                }
            }
            Set<String> labelsOfMetrics = new HashSet<>(TARGET_LABELS);
            Matcher metric = METRIC.matcher(expr);
            while (metric.find()) {
                labelsOfMetrics.addAll(exported.getOrDefault(metric.group(), Map.of()).keySet());
            }
            Matcher by = BY.matcher(expr);
            while (by.find()) {
                for (String label : by.group(1).split(",")) {
                    assertThat(labelsOfMetrics).as("by (%s) in %s", label.strip(), expr).contains(label.strip());
                }
            }
        }
    }

    @Test
    void everyAlertWaitsSaysHowBadItIsAndWhatToDo() throws IOException {
        JsonNode rules = YAML.readTree(MONITORING.resolve("alerts.yml").toFile()).path("groups").path(0).path("rules");

        Set<String> names = new TreeSet<>();
        for (JsonNode rule : rules) {
            String name = rule.path("alert").asText();
            names.add(name);
            assertThat(rule.path("for").asText()).as(name).matches("[0-9]+[smh]");
            assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("critical", "warning");
            assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
            assertThat(rule.path("annotations").path("description").asText()).as(name).hasSizeGreaterThan(80);
        }
        assertThat(names).containsExactlyInAnyOrder("SluiceDown", "SluiceDenialsSpiking", "SluiceAuditWriteFailures",
                "SluiceAuditRecordsDropped", "SluicePolicyReloadFailed", "SluiceConnectionsRefused");
        String all = String.join("\n", alertExpressions());
        assertThat(all).contains("sluice_requests_total{decision=\"deny\"}")
                .contains("sluice_policy_reloads_total{result=~\"error|restart_required\"}");
    }

    @Test
    void theDownAlertWatchesTheJobsThatScrapeSluice() throws IOException {
        JsonNode config = YAML.readTree(MONITORING.resolve("prometheus.yml").toFile());
        List<String> jobs = new ArrayList<>();
        config.path("scrape_configs").forEach(job -> jobs.add(job.path("job_name").asText()));
        String down = alertExpressions().stream().filter(e -> e.startsWith("up{")).findFirst().orElseThrow();

        assertThat(jobs).containsExactly("sluice", "sluice-pods");
        assertThat(down).isEqualTo("up{job=~\"" + String.join("|", jobs) + "\"} == 0");
        assertThat(config.path("rule_files").path(0).asText()).isEqualTo("alerts.yml");
        assertThat(config.path("scrape_configs").path(0).path("static_configs").path(0).path("targets").path(0)
                .asText()).isEqualTo("sluice:9090");
        assertThat(config.path("scrape_configs").path(1).path("kubernetes_sd_configs").path(0).path("role").asText())
                .isEqualTo("pod");
        assertThat(config.path("scrape_configs").path(1).toString())
                .contains("__meta_kubernetes_pod_annotation_prometheus_io_scrape")
                .contains("__meta_kubernetes_pod_annotation_prometheus_io_port");
    }

    @Test
    void theDashboardHasThePanelsAnOperatorLooksAt() throws IOException {
        List<String> expressions = dashboardExpressions();
        String all = String.join("\n", expressions);

        assertThat(all).contains("sluice_requests_total{decision=\"deny\"")
                .contains("histogram_quantile(0.5, sum by (le, listener) (rate(sluice_request_duration_seconds_bucket")
                .contains("histogram_quantile(0.99, sum by (le, listener) (rate(sluice_request_duration_seconds_bucket")
                .contains("sluice_request_body_bytes_total").contains("sluice_connections_active")
                .contains("sluice_tunnels_open").contains("sluice_audit_write_failures_total")
                .contains("sluice_policy_info");
        JsonNode dashboard = JSON.readTree(MONITORING.resolve("grafana-dashboard.json").toFile());
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("panel ids are unique").isTrue();
            assertThat(panel.path("title").asText()).isNotBlank();
            assertThat(panel.path("targets").size()).as(panel.path("title").asText()).isPositive();
        }
    }

    private static List<String> alertExpressions() throws IOException {
        List<String> expressions = new ArrayList<>();
        JsonNode groups = YAML.readTree(MONITORING.resolve("alerts.yml").toFile()).path("groups");
        groups.forEach(g -> g.path("rules").forEach(r -> expressions.add(r.path("expr").asText().strip())));
        assertThat(expressions).isNotEmpty();
        return expressions;
    }

    private static List<String> dashboardExpressions() throws IOException {
        List<String> expressions = new ArrayList<>();
        JsonNode dashboard = JSON.readTree(MONITORING.resolve("grafana-dashboard.json").toFile());
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> expressions.add(t.path("expr").asText())));
        dashboard.path("templating").path("list").forEach(v -> {
            if (v.path("query").has("query")) {
                expressions.add(v.path("query").path("query").asText());
            }
        });
        assertThat(expressions).isNotEmpty().doesNotContain("");
        return expressions;
    }

    /** Prometheus text format: {@code name{label="value",...} number} per sample line; comments skipped. */
    private static Map<String, Map<String, Set<String>>> parseScrape(String text) {
        Map<String, Map<String, Set<String>>> series = new TreeMap<>();
        Pattern labelPair = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
            Map<String, Set<String>> labels = series.computeIfAbsent(name, n -> new TreeMap<>());
            if (brace >= 0 && brace < space) {
                Matcher pair = labelPair.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
                while (pair.find()) {
                    labels.computeIfAbsent(pair.group(1), l -> new TreeSet<>()).add(pair.group(2));
                }
            }
        }
        return series;
    }
}
