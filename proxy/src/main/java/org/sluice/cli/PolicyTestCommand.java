package org.sluice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sluice.policy.Explanation;
import org.sluice.policy.config.CasesLoader;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.PolicyCase;
import org.sluice.policy.config.RuleConfig;
import org.sluice.policy.config.SluiceConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice policy test FILE CASES}: every case's request against the policy, one table row per case. */
@Command(
        name = "test",
        description = {
            "Check a policy against a file of cases: requests and the outcome each must get.",
            "",
            "Prints one row per case (PASS or FAIL, name, request, expected, actual), why each failure failed, and "
                    + "N cases, P passed, F failed.",
            "",
            "CASES is YAML (unknown keys are errors, reported as CASES:LINE:COL: message):",
            "",
            "  cases:",
            "    - name: algorithm fetches its task     # required, unique",
            "      request: GET /api/tasks?limit=10      # required: METHOD URL, URL as in explain",
            "      headers: {X-Request-Tag: a}           # optional: headers sent with it",
            "      body: '{\"mean\": 4.2}'                 # optional: the body as text, or",
            "      bodyFile: bodies/result.json          #   a file, relative to CASES",
            "      expect: allow                         # required: allow | deny | report",
            "                                            #   | bad_request | url_too_long | headers_too_large",
            "                                            #   | body_too_large | content_refused",
            "      rule: central-api                     # optional: the rule that must decide",
            "      forwarded: [Accept]                   # optional: headers that must go upstream",
            "      stripped: [X-Debug]                   # optional: headers that must be stripped",
            "",
            "forwarded and stripped go only with expect allow or report; rule also with body_too_large and "
                    + "content_refused. A body is checked against the deciding rule's maxRequestBodyBytes and its "
                    + "content checks. See docs/policy.md, section \"The cases file\"."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every case passed",
            "1:at least one case failed",
            "2:usage error, or FILE or CASES unreadable or invalid"})
final class PolicyTestCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "YAML config file")
    private Path configFile;

    @Parameters(index = "1", paramLabel = "CASES", description = "YAML cases file")
    private Path casesFile;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SluiceConfig config = PolicyFiles.loadOrReport(configFile, err);
        if (config == null) {
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        List<PolicyCase> cases;
        try {
            cases = CasesLoader.load(casesFile, config);
        } catch (ConfigException e) {
            e.problems().forEach(err::println);
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        } catch (IOException e) {
            err.println("sluice: cannot read cases " + casesFile + ": " + IoMessages.reason(e));
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        RequestCheck check = new RequestCheck(config);
        List<Row> rows = new ArrayList<>();
        for (PolicyCase c : cases) {
            RequestCheck.Result result = check.check(c.method(), c.url(), c.headers(), c.body());
            rows.add(new Row(c, actual(result), failures(c, result, config)));
        }
        print(out, rows);
        long failed = rows.stream().filter(r -> !r.failures().isEmpty()).count();
        out.println(PolicyLintCommand.count(rows.size(), "case") + ", " + (rows.size() - failed) + " passed, "
                + failed + " failed");
        out.flush();
        return failed == 0 ? SluiceCli.OK : SluiceCli.CHECK_FAILED;
    }

    private record Row(PolicyCase policyCase, String actual, List<String> failures) {}

    private static String expected(PolicyCase c) {
        return c.rule() == null ? c.expect() : c.expect() + " (" + c.rule() + ")";
    }

    private static String actual(RequestCheck.Result result) {
        return result.rule() == null ? result.outcome() : result.outcome() + " (" + result.rule() + ")";
    }

    /** Why the case failed, one sentence each; empty when it passed. */
    private static List<String> failures(PolicyCase c, RequestCheck.Result result, SluiceConfig config) {
        List<String> failures = new ArrayList<>();
        if (!c.expect().equals(result.outcome())) {
            failures.add("expected " + c.expect() + ", got " + result.outcome() + ": " + why(result, config));
            return failures;
        }
        if (c.rule() != null && !c.rule().equals(result.rule())) {
            failures.add("expected rule " + c.rule() + " to decide, but " + (result.rule() == null
                    ? "no rule matched: " + why(result, config)
                    : "rule " + result.rule() + " at " + position(config, result.rule()) + " comes first"));
        }
        for (String name : c.forwarded()) {
            RequestCheck.Fate fate = result.fate(name);
            if (fate != RequestCheck.Fate.FORWARDED && fate != RequestCheck.Fate.REPLACED) {
                failures.add("header " + name + " is " + describe(fate, result) + ", expected forwarded");
            }
        }
        for (String name : c.stripped()) {
            RequestCheck.Fate fate = result.fate(name);
            if (fate == RequestCheck.Fate.FORWARDED || fate == RequestCheck.Fate.REPLACED) {
                failures.add("header " + name + " is forwarded" + (result.rule() == null ? ""
                        : " (in the default set or rule " + result.rule() + "'s headers)") + ", expected stripped");
            }
        }
        return failures;
    }

    private static String describe(RequestCheck.Fate fate, RequestCheck.Result result) {
        return switch (fate) {
            case STRIPPED -> "stripped (not in the default set" + (result.rule() == null ? ")"
                    : " or rule " + result.rule() + "'s headers)");
            case HANDLED_BY_SLUICE -> "never forwarded as sent (hop-by-hop or Expect, handled by Sluice)";
            default -> "forwarded";
        };
    }

    /** The refusal or decision reason, with the rule's position or the nearest rule's misses. */
    private static String why(RequestCheck.Result result, SluiceConfig config) {
        if (result.refusal() != null) {
            return result.refusal().reason();
        }
        if (result.content() != null && !result.content().passed()) {
            return result.content().reason() + " (rule " + result.rule() + " at " + position(config, result.rule())
                    + (result.contentReported() ? "; reported, not enforced)" : ")");
        }
        Explanation explanation = result.explanation();
        String reason = explanation.decision().reason();
        if (result.rule() != null) {
            return reason + " at " + position(config, result.rule());
        }
        if (explanation.nearest().isEmpty()) {
            return reason;
        }
        Explanation.Miss nearest = explanation.nearest().get(0);
        return reason + "; nearest rule " + nearest.rule().name() + " at " + nearest.rule().position() + ": "
                + String.join("; ", nearest.reasons());
    }

    private static String position(SluiceConfig config, String rule) {
        return config.rules().stream().filter(r -> r.name().equals(rule)).findFirst()
                .map(RuleConfig::position).map(Object::toString).orElse("?");
    }

    private static void print(PrintWriter out, List<Row> rows) {
        String[] headings = {"RESULT", "CASE", "REQUEST", "EXPECTED", "ACTUAL"};
        int[] widths = new int[headings.length];
        for (int i = 0; i < headings.length; i++) {
            widths[i] = headings[i].length();
        }
        List<String[]> cells = new ArrayList<>();
        for (Row row : rows) {
            PolicyCase c = row.policyCase();
            String[] cell = {row.failures().isEmpty() ? "PASS" : "FAIL", c.name(), c.request(), expected(c),
                row.actual()};
            for (int i = 0; i < cell.length; i++) {
                widths[i] = Math.max(widths[i], cell[i].length());
            }
            cells.add(cell);
        }
        out.println(line(headings, widths));
        for (int r = 0; r < rows.size(); r++) {
            out.println(line(cells.get(r), widths));
            for (String failure : rows.get(r).failures()) {
                out.println(" ".repeat(widths[0] + 2) + rows.get(r).policyCase().position() + ": " + failure);
            }
        }
    }

    private static String line(String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            line.append(cells[i]);
            if (i < cells.length - 1) {
                line.append(" ".repeat(widths[i] - cells[i].length() + 2));
            }
        }
        return line.toString();
    }
}
