package org.sluice.policy.config;

import java.time.Duration;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/** Reads the {@code budgets} section: the window, and the per-client and per-job budgets. */
final class BudgetsReader {
    private static final List<String> BUDGETS_KEYS = List.of("window", "perClient", "perJob");
    private static final List<String> CLIENT_KEYS = List.of("requests", "requestBytes");
    private static final List<String> JOB_KEYS = List.of("requests", "requestBytes", "totalRequestBytes");

    private final NodeReader in;

    BudgetsReader(NodeReader in) {
        this.in = in;
    }

    BudgetsConfig read(Node node) {
        NodeReader.Entries budgets = in.mapping(node, "budgets", BUDGETS_KEYS);
        if (budgets == null) {
            return BudgetsConfig.NONE;
        }
        Duration window = ConfigReader.duration(in, budgets.value("window"), "budgets.window",
                BudgetsConfig.DEFAULT_WINDOW, Duration.ofSeconds(1), Duration.ofDays(7));
        BudgetsConfig.Budget perClient = BudgetsConfig.Budget.NONE;
        Node clientNode = budgets.value("perClient");
        if (clientNode != null) {
            NodeReader.Entries client = in.mapping(clientNode, "budgets.perClient", CLIENT_KEYS);
            if (client != null) {
                perClient = budget(client, "budgets.perClient");
            }
        }
        BudgetsConfig.Budget perJob = BudgetsConfig.Budget.NONE;
        long total = Long.MAX_VALUE;
        Node jobNode = budgets.value("perJob");
        if (jobNode != null) {
            NodeReader.Entries job = in.mapping(jobNode, "budgets.perJob", JOB_KEYS);
            if (job != null) {
                perJob = budget(job, "budgets.perJob");
                total = size(job.value("totalRequestBytes"), "budgets.perJob.totalRequestBytes");
            }
        }
        return new BudgetsConfig(window, perClient, perJob, total);
    }

    private BudgetsConfig.Budget budget(NodeReader.Entries entries, String where) {
        Node requestsNode = entries.value("requests");
        Long requests = requestsNode == null ? null
                : ConfigReader.wholeNumber(in, requestsNode, where + ".requests", 0, Long.MAX_VALUE);
        long bytes = size(entries.value("requestBytes"), where + ".requestBytes");
        return new BudgetsConfig.Budget(requests == null ? Long.MAX_VALUE : requests, bytes);
    }

    /** A size of 0 bytes or more; no limit (Long.MAX_VALUE) when absent or invalid. */
    private long size(Node node, String key) {
        Long value = ConfigReader.sizeOrNull(in, node, key);
        return value == null ? Long.MAX_VALUE : value;
    }
}
