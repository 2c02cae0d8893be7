package org.sluice.policy.config;

import java.time.Duration;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/** Reads the {@code budgets} section: the window, and the perClient, perJob and perTask limits. */
final class BudgetsReader {

    private static final List<String> SECTION_KEYS = List.of("window", "perClient", "perJob", "perTask");
    private static final List<String> BUDGET_KEYS = List.of("requests", "requestBytes");
    private static final Duration MIN_WINDOW = Duration.ofSeconds(1);
    private static final Duration MAX_WINDOW = Duration.ofDays(7);

    private final NodeReader in;

    BudgetsReader(NodeReader in) {
        this.in = in;
    }

    /** The section; {@link BudgetsConfig#NONE} when node is null (no {@code budgets} key) or not a mapping. */
    BudgetsConfig read(Node node) {
        if (node == null) {
            return BudgetsConfig.NONE;
        }
        NodeReader.Entries budgets = in.mapping(node, "budgets", SECTION_KEYS);
        if (budgets == null) {
            return BudgetsConfig.NONE;
        }
        Duration window = ConfigReader.duration(in, budgets.value("window"), "budgets.window",
                BudgetsConfig.DEFAULT_WINDOW, MIN_WINDOW, MAX_WINDOW);
        BudgetsConfig.Budget perClient = budget(budgets.value("perClient"), "budgets.perClient");
        BudgetsConfig.Budget perTask = budget(budgets.value("perTask"), "budgets.perTask");
        BudgetsConfig.Budget perJob = BudgetsConfig.Budget.NONE;
        long total = Long.MAX_VALUE;
        Node jobNode = budgets.value("perJob");
        if (jobNode != null) {
            NodeReader.Entries job = in.mapping(jobNode, "budgets.perJob",
                    List.of("requests", "requestBytes", "totalRequestBytes"));
            if (job != null) {
                perJob = limits(job, "budgets.perJob");
                Long value = ConfigReader.sizeOrNull(in, job.value("totalRequestBytes"),
                        "budgets.perJob.totalRequestBytes", 0, Long.MAX_VALUE);
                total = value == null ? Long.MAX_VALUE : value;
            }
        }
        return new BudgetsConfig(window, perClient, perJob, total, perTask);
    }

    /** A {@code {requests, requestBytes}} mapping at where; no limit when node is null. */
    private BudgetsConfig.Budget budget(Node node, String where) {
        if (node == null) {
            return BudgetsConfig.Budget.NONE;
        }
        NodeReader.Entries entries = in.mapping(node, where, BUDGET_KEYS);
        return entries == null ? BudgetsConfig.Budget.NONE : limits(entries, where);
    }

    private BudgetsConfig.Budget limits(NodeReader.Entries entries, String where) {
        Node requestsNode = entries.value("requests");
        Long requests = requestsNode == null ? null
                : ConfigReader.wholeNumber(in, requestsNode, where + ".requests", 0, Long.MAX_VALUE);
        Long bytes = ConfigReader.sizeOrNull(in, entries.value("requestBytes"), where + ".requestBytes", 0,
                Long.MAX_VALUE);
        return new BudgetsConfig.Budget(requests == null ? Long.MAX_VALUE : requests,
                bytes == null ? Long.MAX_VALUE : bytes);
    }
}
