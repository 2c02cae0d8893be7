package org.sluice.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.sluice.policy.config.BudgetsConfig;
import org.sluice.policy.config.LimitOverrides;
import org.sluice.policy.config.Limits;
import org.sluice.policy.config.RuleConfig;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.policy.content.CompiledContentCheck;
import org.sluice.policy.content.ContentCheck;
import org.sluice.policy.fingerprint.FingerprintScanner;
import org.sluice.policy.net.AddressClassifier;

/**
 * The compiled, immutable policy. Built once; swapped whole on reload.
 *
 * <p>Rules are tried in file order and the first that matches the request's host, port, scheme, method, path and
 * query decides; no match is a deny (or a report, in report mode). Compilation does the work once: hosts go into a
 * hash table of exact names and one of wildcard suffixes, each host bucket indexes its rules by a literal first
 * (else last) path segment, methods become small integer ids, globs are split, and every decision the policy can
 * return is built up front, so {@link #decide} allocates nothing. A request no rule matches is denied with the
 * reason that names the part that did not match ({@link NoMatchReason}), found by a second pass over the rules.
 *
 * <p>CONNECT rules ({@link RuleConfig#tunnel()}) are indexed like the others, with the one path glob {@code /**},
 * and marked: {@link #decideTunnel} considers only them, {@link #decide} never does.
 */
public final class Policy {

    /** Seeded so that CONNECT has an id even when no rule mentions it. */
    private static final List<String> COMMON_METHODS =
            List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");

    /** The path a tunnel is decided on: a tunnel has none, and CONNECT rules match every path. */
    private static final String TUNNEL_PATH = "/";

    private final String hash;
    private final BudgetsConfig budgets;
    private final Mode mode;
    private final boolean allowNetworkAccess;
    private final Map<String, Integer> methodIds;
    private final CompiledRule[] rules;
    /** Rules by exact host name. */
    private final RegionIndex<PathIndex> byHost;
    /** Rules with a {@code *.suffix} host, by suffix. */
    private final RegionIndex<PathIndex> byHostSuffix;
    /** Rules without hosts: candidates for every host. */
    private final PathIndex anyHost;
    /** By the part that failed, then by method id + 1 (0: a method no rule or standard lists). */
    private final Decision[][] noMatch;
    /** By the part that failed: host, port or scheme. */
    private final Decision[] noMatchTunnel;
    private final int connectId;
    private final Decision noNetworkAccess;
    private final AddressClassifier addresses;

    private Policy(SluiceConfig config, Mode mode, Map<String, Integer> methodIds, CompiledRule[] rules,
                   RegionIndex<PathIndex> byHost, RegionIndex<PathIndex> byHostSuffix, PathIndex anyHost,
                   Decision[][] noMatch, Decision[] noMatchTunnel, Decision noNetworkAccess) {
        this.hash = config.sha256();
        this.budgets = config.budgets() == null ? BudgetsConfig.NONE : config.budgets();
        this.mode = mode;
        this.allowNetworkAccess = config.allowNetworkAccess();
        this.methodIds = methodIds;
        this.rules = rules;
        this.byHost = byHost;
        this.byHostSuffix = byHostSuffix;
        this.anyHost = anyHost;
        this.noMatch = noMatch;
        this.noMatchTunnel = noMatchTunnel;
        this.connectId = methodIds.get("CONNECT");
        this.noNetworkAccess = noNetworkAccess;
        this.addresses = config.allowPrivate() == null || config.allowPrivate().isEmpty()
                ? AddressClassifier.DENY_PRIVATE : new AddressClassifier(config.allowPrivate());
    }

    /** Compiles a validated config; throws IllegalArgumentException on a glob that the loader would have refused. */
    public static Policy compile(SluiceConfig config) {
        Objects.requireNonNull(config, "config");
        Mode mode = config.mode() == null ? Mode.ENFORCE : config.mode();
        Limits limits = config.limits() == null ? Limits.DEFAULTS : config.limits();

        Map<String, Integer> methodIds = new HashMap<>();
        COMMON_METHODS.forEach(m -> methodIds.putIfAbsent(m, methodIds.size()));
        for (RuleConfig rule : config.rules()) {
            rule.methods().forEach(m -> methodIds.putIfAbsent(m, methodIds.size()));
        }

        List<RuleConfig> ruleConfigs = config.rules();
        CompiledRule[] rules = new CompiledRule[ruleConfigs.size()];
        Map<String, PathIndex.Builder> byHost = new LinkedHashMap<>();
        Map<String, PathIndex.Builder> byHostSuffix = new LinkedHashMap<>();
        PathIndex.Builder anyHost = new PathIndex.Builder();
        for (int i = 0; i < rules.length; i++) {
            RuleConfig rule = ruleConfigs.get(i);
            rules[i] = compileRule(rule, limits, methodIds);
            if (rule.hosts() == null) {
                anyHost.add(i, rules[i].globs);
                continue;
            }
            for (String host : rule.hosts()) {
                if (host.startsWith("*.")) {
                    byHostSuffix.computeIfAbsent(host.substring(2), k -> new PathIndex.Builder()).add(i, rules[i].globs);
                } else {
                    byHost.computeIfAbsent(host, k -> new PathIndex.Builder()).add(i, rules[i].globs);
                }
            }
        }

        EffectiveLimits defaultLimits =
                new EffectiveLimits(limits.maxRequestBodyBytes(), limits.maxResponseBodyBytes());
        Decision[][] noMatch = new Decision[NoMatchReason.PARTS][methodIds.size() + 1];
        for (int part = 0; part < NoMatchReason.PARTS; part++) {
            noMatch[part][0] = noMatch(mode, NoMatchReason.request(Math.min(part, NoMatchReason.METHOD), null),
                    defaultLimits);
            for (Map.Entry<String, Integer> method : methodIds.entrySet()) {
                noMatch[part][method.getValue() + 1] = noMatch(mode, NoMatchReason.request(part, method.getKey()),
                        defaultLimits);
            }
        }
        Decision[] noTunnel = new Decision[NoMatchReason.SCHEME + 1];
        for (int part = 0; part < noTunnel.length; part++) {
            noTunnel[part] = noMatch(mode, NoMatchReason.tunnel(part), defaultLimits);
        }
        Decision noNetwork = new Decision(Verdict.DENY, "allowNetworkAccess is false: only the gateway's upstream "
                + "is reachable", null, Mode.ENFORCE, defaultLimits, HeaderAllowlist.DEFAULT);

        return new Policy(config, mode, Map.copyOf(methodIds), rules, build(byHost), build(byHostSuffix),
                anyHost.build(), noMatch, noTunnel, noNetwork);
    }

    private static RegionIndex<PathIndex> build(Map<String, PathIndex.Builder> builders) {
        Map<String, PathIndex> built = new HashMap<>();
        builders.forEach((key, builder) -> built.put(key, builder.build()));
        return new RegionIndex<>(built);
    }

    private static CompiledRule compileRule(RuleConfig rule, Limits limits, Map<String, Integer> methodIds) {
        boolean[] methods = new boolean[methodIds.size()];
        rule.methods().forEach(m -> methods[methodIds.get(m)] = true);
        PathGlob[] globs = rule.tunnel() ? new PathGlob[] {PathGlob.compile(TUNNEL_PATH + "**")}
                : rule.paths().stream().map(PathGlob::compile).toArray(PathGlob[]::new);
        LimitOverrides overrides = rule.limits();
        long maxRequest = overrides != null && overrides.maxRequestBodyBytes() != null
                ? overrides.maxRequestBodyBytes() : limits.maxRequestBodyBytes();
        long maxResponse = overrides != null && overrides.maxResponseBodyBytes() != null
                ? overrides.maxResponseBodyBytes() : limits.maxResponseBodyBytes();
        EffectiveLimits effective = new EffectiveLimits(maxRequest, maxResponse);
        HeaderAllowlist headers = HeaderAllowlist.of(rule.headers());
        ContentCheck content = rule.content() == null ? null
                : CompiledContentCheck.compile(rule.content(), data -> FingerprintScanner.of(data.index(), data.k()));
        Decision decision = rule.mode() == Mode.REPORT
                ? new Decision(Verdict.REPORT, "matched rule '" + rule.name() + "', which is in report mode; "
                        + "let through and reported", rule.name(), Mode.REPORT, effective, headers, content)
                : new Decision(Verdict.ALLOW, "allowed by rule '" + rule.name() + "'", rule.name(), Mode.ENFORCE,
                        effective, headers, content);
        int[] ports = rule.ports() == null ? null : rule.ports().stream().mapToInt(Integer::intValue).sorted()
                .toArray();
        String[] query = rule.query() == null ? null : rule.query().toArray(String[]::new);
        String[] hosts = rule.hosts() == null ? null
                : rule.hosts().stream().map(h -> h.startsWith("*.") ? h.substring(1) : h).toArray(String[]::new);
        return new CompiledRule(hosts, methods, globs, ports, rule.schemes() == null || rule.schemes().contains("http"),
                rule.schemes() == null || rule.schemes().contains("https"), query, rule.tunnel(), decision);
    }

    private static Decision noMatch(Mode mode, String reason, EffectiveLimits limits) {
        return mode == Mode.REPORT
                ? new Decision(Verdict.REPORT, reason + "; let through because the policy is in report mode", null,
                        mode, limits, HeaderAllowlist.DEFAULT)
                : new Decision(Verdict.DENY, reason, null, mode, limits, HeaderAllowlist.DEFAULT);
    }

    /**
     * Decides one request.
     *
     * @param destination    where the request would go (for the gateway: its upstream, made once)
     * @param method         upper-case token as received
     * @param normalizedPath ALREADY normalised by {@link PathNormalizer} (no query)
     * @param rawQuery       the query as sent, without '?'; null or empty when there is none
     * @return a shared, pre-built decision
     */
    public Decision decide(Destination destination, String method, String normalizedPath, String rawQuery) {
        if (destination.listener() == Listener.FORWARD && !allowNetworkAccess) {
            return noNetworkAccess;
        }
        Integer methodId = method == null ? null : methodIds.get(method);
        boolean pathOk = normalizedPath != null && !normalizedPath.isEmpty() && normalizedPath.charAt(0) == '/';
        if (methodId != null && pathOk) {
            int best = firstMatch(destination, methodId, normalizedPath, rawQuery, false);
            if (best != Integer.MAX_VALUE) {
                return rules[best].decision;
            }
        }
        int reached = NoMatchReason.HOST;
        for (CompiledRule rule : rules) {
            if (!rule.tunnel) {
                reached = Math.max(reached, rule.reached(destination, methodId, pathOk ? normalizedPath : null,
                        rawQuery));
            }
        }
        return noMatch[Math.min(reached, NoMatchReason.QUERY)][methodId == null ? 0 : methodId + 1];
    }

    /**
     * Decides one CONNECT tunnel: only CONNECT rules are considered, on host, port and scheme (https). What the
     * tunnel carries is encrypted, so there is no method, path or query to check. allowNetworkAccess: false denies
     * every tunnel.
     *
     * @param destination the CONNECT target (listener FORWARD, scheme https), host in normal form
     * @return a shared, pre-built decision
     */
    public Decision decideTunnel(Destination destination) {
        if (!allowNetworkAccess) {
            return noNetworkAccess;
        }
        int best = firstMatch(destination, connectId, TUNNEL_PATH, null, true);
        if (best != Integer.MAX_VALUE) {
            return rules[best].decision;
        }
        int reached = NoMatchReason.HOST;
        for (CompiledRule rule : rules) {
            if (rule.tunnel) {
                reached = Math.max(reached, rule.reached(destination, connectId, TUNNEL_PATH, null));
            }
        }
        return noMatchTunnel[Math.min(reached, NoMatchReason.SCHEME)];
    }

    /** The index of the first rule of the given kind that matches, else Integer.MAX_VALUE. */
    private int firstMatch(Destination d, int m, String path, String rawQuery, boolean tunnel) {
        String host = d.host();
        int best = Integer.MAX_VALUE;
        best = firstMatch(byHost.get(host, 0, host.length()), d, m, path, rawQuery, tunnel, best);
        // A wildcard never covers an IP literal: IPv6 has no labels, and wildcard suffixes never end in a digit.
        if (!byHostSuffix.isEmpty() && host.indexOf(':') < 0) {
            for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
                best = firstMatch(byHostSuffix.get(host, dot + 1, host.length()), d, m, path, rawQuery, tunnel, best);
            }
        }
        return firstMatch(anyHost, d, m, path, rawQuery, tunnel, best);
    }

    /** The lowest rule index below {@code best} in this bucket that matches, else best. */
    private int firstMatch(PathIndex bucket, Destination d, int m, String path, String query, boolean tunnel,
                           int best) {
        if (bucket == null) {
            return best;
        }
        int length = path.length();
        int firstEnd = path.indexOf('/', 1);
        int[] first = bucket.byFirstSegment.get(path, 1, firstEnd < 0 ? length : firstEnd);
        best = firstMatch(first, d, m, path, query, tunnel, best);
        if (!bucket.byLastSegment.isEmpty()) {
            int[] last = bucket.byLastSegment.get(path, path.lastIndexOf('/') + 1, length);
            best = firstMatch(last, d, m, path, query, tunnel, best);
        }
        return firstMatch(bucket.unindexed, d, m, path, query, tunnel, best);
    }

    private int firstMatch(int[] candidates, Destination d, int m, String path, String query, boolean tunnel,
                           int best) {
        if (candidates == null) {
            return best;
        }
        for (int r : candidates) {
            if (r >= best) {
                break;
            }
            if (rules[r].tunnel == tunnel && rules[r].matches(d, m, path, query)) {
                return r;
            }
        }
        return best;
    }

    /** How much may be sent out: the egress budgets, swapped with the rules on reload (the counts carry on). */
    public BudgetsConfig budgets() {
        return budgets;
    }

    /** The policy's identity in audit records: the config file's SHA-256. */
    public String hash() {
        return hash;
    }

    /** What happens to a request no rule matches: refused, or let through and reported. */
    public Mode mode() {
        return mode;
    }

    /**
     * Which addresses Sluice may connect to under this policy: public ones, and the non-public ones its
     * {@code allowPrivate} blocks admit. Swapped with the rules on reload. Enforced in report mode too.
     */
    public AddressClassifier addresses() {
        return addresses;
    }

    /** Number of rules. */
    public int ruleCount() {
        return rules.length;
    }

    @Override
    public String toString() {
        return "Policy[" + rules.length + " rules, " + mode + ", " + hash + "]";
    }

    /** The rules of one host bucket, by a literal first or last path segment; the rest are tried for any path. */
    private static final class PathIndex {
        final RegionIndex<int[]> byFirstSegment;
        final RegionIndex<int[]> byLastSegment;
        final int[] unindexed;

        PathIndex(RegionIndex<int[]> byFirstSegment, RegionIndex<int[]> byLastSegment, int[] unindexed) {
            this.byFirstSegment = byFirstSegment;
            this.byLastSegment = byLastSegment;
            this.unindexed = unindexed;
        }

        static final class Builder {
            private final Map<String, List<Integer>> byFirst = new HashMap<>();
            private final Map<String, List<Integer>> byLast = new HashMap<>();
            private final List<Integer> unindexed = new ArrayList<>();

            /** Rules are added in ascending order, so each list stays sorted. */
            void add(int rule, PathGlob[] globs) {
                for (PathGlob glob : globs) {
                    String first = glob.firstLiteralSegment();
                    String last = glob.lastLiteralSegment();
                    if (first != null) {
                        addOnce(byFirst.computeIfAbsent(first, k -> new ArrayList<>()), rule);
                    } else if (last != null) {
                        addOnce(byLast.computeIfAbsent(last, k -> new ArrayList<>()), rule);
                    } else {
                        addOnce(unindexed, rule);
                    }
                }
            }

            PathIndex build() {
                return new PathIndex(index(byFirst), index(byLast), toArray(unindexed));
            }

            /** A rule with several globs under one key is listed once. */
            private static void addOnce(List<Integer> list, int rule) {
                if (list.isEmpty() || list.get(list.size() - 1) != rule) {
                    list.add(rule);
                }
            }

            private static RegionIndex<int[]> index(Map<String, List<Integer>> lists) {
                Map<String, int[]> arrays = new HashMap<>();
                lists.forEach((segment, list) -> arrays.put(segment, toArray(list)));
                return new RegionIndex<>(arrays);
            }

            private static int[] toArray(List<Integer> list) {
                return list.stream().mapToInt(Integer::intValue).toArray();
            }
        }
    }

    /** One rule, ready to test: methods by id, ports, schemes, split globs, query names and its decision. */
    private static final class CompiledRule {
        /** Normal-form names, and {@code .suffix} for {@code *.suffix}; null = any host. Read for a no-match reason. */
        final String[] hosts;
        final boolean[] methods;
        final PathGlob[] globs;
        /** Sorted; null = any port. */
        final int[] ports;
        final boolean http;
        final boolean https;
        /** null = any query. */
        final String[] query;
        /** A CONNECT rule: it decides tunnels and nothing else. */
        final boolean tunnel;
        final Decision decision;

        CompiledRule(String[] hosts, boolean[] methods, PathGlob[] globs, int[] ports, boolean http, boolean https,
                     String[] query, boolean tunnel, Decision decision) {
            this.hosts = hosts;
            this.methods = methods;
            this.globs = globs;
            this.ports = ports;
            this.http = http;
            this.https = https;
            this.query = query;
            this.tunnel = tunnel;
            this.decision = decision;
        }

        /** Host already matched (the rule was found under it); the rest is checked here. */
        boolean matches(Destination d, int method, String path, String rawQuery) {
            boolean scheme = "https".equals(d.scheme()) ? https : http && "http".equals(d.scheme());
            if (!methods[method] || !scheme || (ports != null && Arrays.binarySearch(ports, d.port()) < 0)) {
                return false;
            }
            return pathMatches(path) && (query == null || QueryNames.allAllowed(rawQuery, query));
        }

        /**
         * How far the request gets through this rule, checking host, port, scheme, method, path and query in that
         * order: the {@link NoMatchReason} part that fails first. Null method (not in any rule) or path (not
         * normal) fail their part.
         */
        int reached(Destination d, Integer method, String path, String rawQuery) {
            if (hosts != null && !anyHostMatches(d.host())) {
                return NoMatchReason.HOST;
            }
            if (ports != null && Arrays.binarySearch(ports, d.port()) < 0) {
                return NoMatchReason.PORT;
            }
            if (!("https".equals(d.scheme()) ? https : http && "http".equals(d.scheme()))) {
                return NoMatchReason.SCHEME;
            }
            if (method == null || !methods[method]) {
                return NoMatchReason.METHOD;
            }
            if (path == null || !pathMatches(path)) {
                return NoMatchReason.PATH;
            }
            return NoMatchReason.QUERY;
        }

        private boolean anyHostMatches(String host) {
            for (String pattern : hosts) {
                boolean match = pattern.charAt(0) == '.'
                        ? host.indexOf(':') < 0 && host.length() > pattern.length() && host.endsWith(pattern)
                        : pattern.equals(host);
                if (match) {
                    return true;
                }
            }
            return false;
        }

        private boolean pathMatches(String path) {
            for (PathGlob glob : globs) {
                if (glob.matches(path)) {
                    return true;
                }
            }
            return false;
        }
    }
}
