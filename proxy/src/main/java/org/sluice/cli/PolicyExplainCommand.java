package org.sluice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.sluice.policy.Decision;
import org.sluice.policy.Explanation;
import org.sluice.policy.ForwardTargets;
import org.sluice.policy.HeaderAllowlist;
import org.sluice.policy.HttpTokens;
import org.sluice.policy.Listener;
import org.sluice.policy.RequestHeader;
import org.sluice.policy.RequestUrl;
import org.sluice.policy.config.LimitOverrides;
import org.sluice.policy.config.RuleConfig;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.policy.content.ContentVerdict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice policy explain FILE METHOD URL [-H 'Name: value']... [--body FILE]}: what Sluice would do with one
 * request.
 */
@Command(
        name = "explain",
        description = {
            "Show what Sluice would do with one request, without sending anything.",
            "",
            "Prints the request as the policy sees it (listener, destination, method, normalised path, query "
                    + "parameter names), the decision and the rule that made it (FILE:LINE:COL), the limits that "
                    + "apply, which headers would be forwarded and which stripped, and for a request no rule allows "
                    + "the nearest rules with every reason they do not match. A request refused before the policy "
                    + "(414 url_too_long, 431 headers_too_large, 400 bad_request) is reported as such.",
            "",
            "With --body, the body is checked as the listener would: against the rule's maxRequestBodyBytes (413 "
                    + "body_too_large) and the rule's content checks, which print which check decides and why "
                    + "(counts, entropy, decoded layers; never the matched values). Give its type with -H "
                    + "'Content-Type: ...'. A rule with content checks also checks the query and the forwarded "
                    + "header values, with or without a body.",
            "",
            "URL is a path (/api/tasks?limit=10): a request to the gateway; or an absolute http(s) URL: a gateway "
                    + "request when its scheme, host and port are the gateway upstream's, else a request to the "
                    + "forward proxy listener.",
            "",
            "CONNECT host:port is a tunnel through the forward proxy listener: only CONNECT rules (methods: "
                    + "[CONNECT]) match it, on host, port and scheme https; what the tunnel carries is encrypted, "
                    + "so there is no path, query, body limit or header to check.",
            "",
            "METHOD is used as given: HTTP methods are case-sensitive, and a method that is not upper case gets a "
                    + "warning (rules list methods in upper case).",
            "",
            "Examples:",
            "  sluice policy explain examples/gateway.yaml GET '/api/tasks?limit=10'",
            "  sluice policy explain examples/gateway.yaml POST /admin/export -H 'X-Debug: 1'",
            "  sluice policy explain examples/content.yaml POST /api/result -H 'Content-Type: application/json' "
                    + "--body result.json",
            "  sluice policy explain examples/gateway.yaml GET https://pypi.org/simple/",
            "  sluice policy explain examples/sidecar-mirror.yaml CONNECT mirror.example.org:443"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the request would be forwarded (allow, or report)",
            "1:the request would be refused (403 denied or content_refused, 413, or 400/414/431 before the policy)",
            "2:usage or config error (unreadable or invalid FILE, bad URL, METHOD, -H or --body)"})
final class PolicyExplainCommand implements Callable<Integer> {

    /** Labels are padded to this width, so that values line up. */
    private static final int LABEL_WIDTH = 24;
    private static final int LINE_WIDTH = 110;

    @Parameters(index = "0", paramLabel = "FILE", description = "YAML config file")
    private Path configFile;

    @Parameters(index = "1", paramLabel = "METHOD", description = "HTTP method, e.g. GET")
    private String method;

    @Parameters(index = "2", paramLabel = "URL", description = "a path such as /api/tasks?limit=10, an "
            + "absolute http(s) URL, or host:port after CONNECT")
    private String url;

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'",
            description = "A request header, as curl takes it; repeat for more.")
    private List<String> headerLines = new ArrayList<>();

    @Option(names = "--body", paramLabel = "FILE",
            description = "A file holding the request body ('-': standard input), checked against the rule's body "
                    + "limit and content checks.")
    private Path bodyFile;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!HttpTokens.isToken(method)) {
            return usageError(err, "METHOD '" + method + "' is not an HTTP method; expected a token such as GET");
        }
        List<RequestHeader> headers = new ArrayList<>();
        for (String line : headerLines) {
            try {
                headers.add(RequestHeader.parse(line));
            } catch (IllegalArgumentException e) {
                return usageError(err, "-H: " + e.getMessage());
            }
        }
        byte[] body = null;
        if (bodyFile != null) {
            try {
                body = bodyFile.toString().equals("-") ? System.in.readAllBytes() : Files.readAllBytes(bodyFile);
            } catch (IOException e) {
                return usageError(err, "--body: cannot read " + bodyFile + ": " + IoMessages.reason(e));
            }
        }
        SluiceConfig config = PolicyFiles.loadOrReport(configFile, err);
        if (config == null) {
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        RequestCheck check = new RequestCheck(config);
        RequestUrl requestUrl;
        try {
            requestUrl = RequestUrl.parse(method, url, check.gateway());
        } catch (IllegalArgumentException e) {
            return usageError(err, "URL: " + e.getMessage());
        }
        if (!method.equals(method.toUpperCase(Locale.ROOT))) {
            err.println("sluice: warning: method '" + method + "' is not upper case; methods are case-sensitive "
                    + "and rules list them in upper case, so no rule matches it (did you mean "
                    + method.toUpperCase(Locale.ROOT) + "?)");
            err.flush();
        }
        RequestCheck.Result result = check.check(method, requestUrl, headers, body);
        new Report(out, config, result).print();
        out.flush();
        return result.forwards() ? SluiceCli.OK : SluiceCli.CHECK_FAILED;
    }

    private static int usageError(PrintWriter err, String message) {
        err.println("sluice: " + message);
        err.flush();
        return SluiceCli.USAGE_OR_CONFIG_ERROR;
    }

    /** The printed explanation: aligned label/value lines in sections. */
    private final class Report {
        private final PrintWriter out;
        private final SluiceConfig config;
        private final RequestCheck.Result result;

        Report(PrintWriter out, SluiceConfig config, RequestCheck.Result result) {
            this.out = out;
            this.config = config;
            this.result = result;
        }

        void print() {
            printRequest();
            out.println();
            printDecision();
            if (result.refusal() == null && result.rule() == null) {
                out.println();
                printNearest();
            }
            out.println();
            printLimits();
            if (result.explanation() != null && result.explanation().decision().forwards()
                    && !result.url().tunnel() && (result.refusal() == null || bodyFile != null)) {
                out.println();
                printContent();
            }
            if (result.forwards() && !result.url().tunnel()) {
                out.println();
                printHeaders();
            }
        }

        private void printRequest() {
            RequestUrl u = result.url();
            row("request", method + " " + url);
            row("  listener", u.destination().listener() == Listener.GATEWAY
                    ? "gateway (to its upstream " + u.destination() + ")"
                    : "forward proxy (to " + u.destination() + ")");
            row("  method", method);
            if (u.tunnel()) {
                row("  tunnel", "to " + ForwardTargets.authority(u.destination()) + " port " + u.destination().port()
                        + "; only host and port are checked (and, by the listener, that the TLS SNI names the "
                        + "host): the tunnel's contents are encrypted");
                return;
            }
            if (result.path().ok()) {
                row("  path", result.path().path().equals(u.rawPath()) ? u.rawPath()
                        : result.path().path() + " (normalised from " + u.rawPath() + ")");
            } else {
                row("  path", u.rawPath() + " (cannot be normalised)");
            }
            List<String> names = u.queryNames();
            row("  query parameters", u.rawQuery() == null ? "none" : names.isEmpty() ? "none (empty query)"
                    : String.join(", ", names));
        }

        private void printDecision() {
            RequestCheck.Refusal refusal = result.refusal();
            Explanation explanation = result.explanation();
            if (refusal != null && refusal.code().equals("body_too_large")) {
                row("decision", "refused: 413 body_too_large (the rule allows the request, not a body this "
                        + "large; nothing is forwarded)");
                row("  reason", refusal.reason());
                return;
            }
            if (refusal != null) {
                row("decision", "refused before the policy: " + refusal.status() + " " + refusal.code()
                        + " (nothing is forwarded)");
                row("  reason", refusal.reason());
                row("  policy", explanation == null ? "not consulted"
                        : "not consulted; within the limits: " + explanation.decision().auditName() + " ("
                        + explanation.decision().reason() + ")");
                return;
            }
            Decision decision = explanation.decision();
            row("decision", result.contentRefused()
                    ? "content_refused (403: the rule allows the request, its content checks refuse it; nothing is "
                            + "forwarded)"
                    : switch (decision.verdict()) {
                        case ALLOW -> result.url().tunnel()
                                ? "allow (tunnel opened to " + result.url().destination() + ")"
                                : "allow (forwarded to " + result.url().destination() + ")";
                        case REPORT -> "report (forwarded, and audited as report)";
                        case DENY -> "deny (403 denied; nothing is forwarded)";
                    });
            row("  reason", decision.reason());
            if (decision.rule() != null) {
                row("  rule", decision.rule() + " at " + rulePosition(decision.rule()));
            } else {
                row("  rule", "none matched");
            }
            RuleConfig reference = explanation.rule();
            String referenceName = reference == null ? null : reference.name();
            if (!Objects.equals(referenceName, decision.rule())) {
                row("  warning", "the compiled policy and the reference matcher disagree (rule "
                        + referenceName + "); please report this as a bug");
            }
        }

        private void printNearest() {
            Explanation explanation = result.explanation();
            if (result.url().destination().listener() == Listener.FORWARD && !config.allowNetworkAccess()) {
                row("nearest rules", "none consulted: allowNetworkAccess is false, so the forward proxy reaches "
                        + "nothing");
                return;
            }
            if (explanation.nearest().isEmpty()) {
                row("nearest rules", result.url().tunnel() ? "none: the policy has no CONNECT rules"
                        : "none: the policy has no rules");
                return;
            }
            row("nearest rules", "");
            for (Explanation.Miss miss : explanation.nearest()) {
                row("  " + miss.rule().name(), miss.rule().position().toString());
                for (String reason : miss.reasons()) {
                    row("", "- " + reason);
                }
            }
        }

        private void printLimits() {
            row("limits", "");
            row("  maxUrlBytes", Sizes.format(config.limits().maxUrlBytes()) + "; this request target: "
                    + result.targetBytes() + " bytes");
            row("  maxHeaderBytes", Sizes.format(config.limits().maxHeaderBytes()) + "; the -H headers: "
                    + result.headerBytes() + " bytes (a client adds its own, e.g. Host, User-Agent)");
            boolean ruleLetsThrough = result.explanation() != null && result.explanation().decision().forwards()
                    && (result.refusal() == null || result.refusal().code().equals("body_too_large"));
            if (!ruleLetsThrough) {
                return;
            }
            if (result.url().tunnel()) {
                row("  body limits", "none inside a tunnel: its contents are encrypted (use a plain-HTTP rule or "
                        + "the gateway where body size matters)");
                return;
            }
            Decision decision = result.explanation().decision();
            LimitOverrides overrides = result.explanation().rule() == null ? null
                    : result.explanation().rule().limits();
            row("  maxRequestBodyBytes", Sizes.format(decision.limits().maxRequestBodyBytes())
                    + source(overrides != null && overrides.maxRequestBodyBytes() != null));
            row("  maxResponseBodyBytes", Sizes.format(decision.limits().maxResponseBodyBytes())
                    + source(overrides != null && overrides.maxResponseBodyBytes() != null));
        }

        private void printContent() {
            ContentVerdict verdict = result.content();
            if (result.explanation().decision().content() == null) {
                row("content", result.rule() == null ? "no content checks (no rule decided)"
                        : "no content checks in rule " + result.rule() + (bodyFile == null ? ""
                        : "; the body is only held to its size limit"));
                return;
            }
            if (verdict == null) {
                row("content", "not checked: the request is refused before its content is read");
                return;
            }
            if (verdict.passed()) {
                row("content", "passed every check of rule " + result.rule()
                        + (bodyFile == null ? " (no --body: the query and header values only)" : ""));
            } else {
                row("content", (result.contentReported() ? "would be refused, reported only (mode report): "
                        : "refused: 403 content_refused by check ") + verdict.refusedBy());
                row("  reason", verdict.reason());
            }
            row("  protected rows", Integer.toString(verdict.rowsMatched()));
            row("  rare values", Integer.toString(verdict.rareValues()));
            row("  schema errors", Integer.toString(verdict.schemaErrors()));
            row("  entropy", verdict.entropy() < 0 ? "not measured"
                    : String.format(Locale.ROOT, "%.2f bits/byte%s", verdict.entropy(),
                            verdict.opaque() ? " (opaque)" : ""));
            row("  decoded layers", verdict.layers().isEmpty() ? "none" : String.join(", ", verdict.layers()));
        }

        private String source(boolean byRule) {
            return byRule ? " (set by rule " + result.rule() + ")" : " (top-level limits)";
        }

        private void printHeaders() {
            row("headers", result.headers().isEmpty() ? "none given with -H" : "");
            String rule = result.rule();
            for (RequestCheck.HeaderFate fate : result.headerFates()) {
                RequestHeader h = fate.header();
                switch (fate.fate()) {
                    case FORWARDED -> row("  forwarded", h.toString());
                    case REPLACED -> row("  replaced", h + " (sent upstream as Host: " + result.hostSent() + ")");
                    case STRIPPED -> row("  stripped", h + " (not in the default set"
                            + (rule == null ? ")" : " or rule " + rule + "'s headers)"));
                    case HANDLED_BY_SLUICE -> row("  not forwarded", h + " (hop-by-hop or Expect: handled by "
                            + "Sluice, never forwarded as sent)");
                }
            }
            HeaderAllowlist allowed = result.explanation().decision().headers();
            wrapped("  always forwarded", String.join(", ", HeaderAllowlist.DEFAULT_NAMES));
            List<String> own = allowed.names().subList(HeaderAllowlist.DEFAULT_NAMES.size(), allowed.names().size());
            if (!own.isEmpty()) {
                wrapped("  rule's own", String.join(", ", own));
            }
        }

        private String rulePosition(String name) {
            return config.rules().stream().filter(r -> r.name().equals(name)).findFirst()
                    .map(r -> r.position().toString()).orElse("?");
        }

        private void row(String label, String value) {
            if (value.isEmpty()) {
                out.println(label);
            } else if (label.length() >= LABEL_WIDTH) {
                out.println(label + " " + value);
            } else {
                out.println(label + " ".repeat(LABEL_WIDTH - label.length()) + value);
            }
        }

        /** A comma-separated list, broken after commas to stay within LINE_WIDTH. */
        private void wrapped(String label, String list) {
            String rest = list;
            String current = label;
            int room = LINE_WIDTH - LABEL_WIDTH;
            while (rest.length() > room) {
                int cut = rest.lastIndexOf(", ", room);
                if (cut <= 0) {
                    break;
                }
                row(current, rest.substring(0, cut + 1));
                rest = rest.substring(cut + 2);
                current = "";
            }
            row(current, rest);
        }
    }
}
