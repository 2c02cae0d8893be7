package org.sluice.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.sluice.policy.config.LimitOverrides;
import org.sluice.policy.config.Limits;
import org.sluice.policy.config.RuleConfig;
import org.sluice.policy.config.SluiceConfig;

/**
 * The compiled, immutable policy. Built once; swapped whole on reload.
 *
 * <p>Rules are tried in file order and the first whose methods and paths both match decides. Globs are split once,
 * methods become small integer ids, rules are indexed by a literal first (else last) path segment, and every
 * decision the policy can return is built up front, so {@link #decide} allocates nothing.
 */
public final class Policy {

    /** Seeded so that a refusal of a common method names it even when no rule mentions that method. */
    private static final List<String> COMMON_METHODS =
            List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");

    private final String hash;
    private final Mode mode;
    private final Map<String, Integer> methodIds;
    private final CompiledRule[] rules;
    /** Rules with a glob that starts with a literal segment, by that segment. */
    private final SegmentIndex byFirstSegment;
    /** Rules with a glob that starts with a wildcard but ends with a literal segment, by that segment. */
    private final SegmentIndex byLastSegment;
    /** Rules with a glob that has neither: candidates for every path. */
    private final int[] unindexed;
    private final Decision[] noMatchByMethod;
    private final Decision noMatchOtherMethod;

    private Policy(String hash, Mode mode, Map<String, Integer> methodIds, CompiledRule[] rules,
                   SegmentIndex byFirstSegment, SegmentIndex byLastSegment, int[] unindexed,
                   Decision[] noMatchByMethod, Decision noMatchOtherMethod) {
        this.hash = hash;
        this.mode = mode;
        this.methodIds = methodIds;
        this.rules = rules;
        this.byFirstSegment = byFirstSegment;
        this.byLastSegment = byLastSegment;
        this.unindexed = unindexed;
        this.noMatchByMethod = noMatchByMethod;
        this.noMatchOtherMethod = noMatchOtherMethod;
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
        Map<String, List<Integer>> byFirst = new HashMap<>();
        Map<String, List<Integer>> byLast = new HashMap<>();
        List<Integer> unindexed = new ArrayList<>();
        for (int i = 0; i < rules.length; i++) {
            rules[i] = compileRule(ruleConfigs.get(i), mode, limits, methodIds);
            for (PathGlob glob : rules[i].globs) {
                String first = glob.firstLiteralSegment();
                String last = glob.lastLiteralSegment();
                if (first != null) {
                    addOnce(byFirst.computeIfAbsent(first, k -> new ArrayList<>()), i);
                } else if (last != null) {
                    addOnce(byLast.computeIfAbsent(last, k -> new ArrayList<>()), i);
                } else {
                    addOnce(unindexed, i);
                }
            }
        }

        EffectiveLimits defaultLimits =
                new EffectiveLimits(limits.maxRequestBodyBytes(), limits.maxResponseBodyBytes());
        Decision[] noMatch = new Decision[methodIds.size()];
        methodIds.forEach((method, id) -> noMatch[id] = noMatch(mode, "no rule allows " + method + " on this path",
                defaultLimits));
        Decision other = noMatch(mode, "no rule allows this method on this path", defaultLimits);

        return new Policy(config.sha256(), mode, Map.copyOf(methodIds), rules, index(byFirst), index(byLast),
                toArray(unindexed), noMatch, other);
    }

    private static CompiledRule compileRule(RuleConfig rule, Mode mode, Limits limits,
                                            Map<String, Integer> methodIds) {
        boolean[] methods = new boolean[methodIds.size()];
        rule.methods().forEach(m -> methods[methodIds.get(m)] = true);
        PathGlob[] globs = rule.paths().stream().map(PathGlob::compile).toArray(PathGlob[]::new);
        LimitOverrides overrides = rule.limits();
        long maxRequest = overrides != null && overrides.maxRequestBodyBytes() != null
                ? overrides.maxRequestBodyBytes() : limits.maxRequestBodyBytes();
        long maxResponse = overrides != null && overrides.maxResponseBodyBytes() != null
                ? overrides.maxResponseBodyBytes() : limits.maxResponseBodyBytes();
        Decision decision = new Decision(Verdict.ALLOW, "allowed by rule '" + rule.name() + "'", rule.name(), mode,
                new EffectiveLimits(maxRequest, maxResponse));
        return new CompiledRule(methods, globs, decision);
    }

    private static Decision noMatch(Mode mode, String reason, EffectiveLimits limits) {
        return mode == Mode.REPORT
                ? new Decision(Verdict.REPORT, reason + "; let through because the policy is in report mode", null,
                        mode, limits)
                : new Decision(Verdict.DENY, reason, null, mode, limits);
    }

    /** Rule indices go in ascending order, so a rule with several globs under one key is listed once. */
    private static void addOnce(List<Integer> list, int rule) {
        if (list.isEmpty() || list.get(list.size() - 1) != rule) {
            list.add(rule);
        }
    }

    private static SegmentIndex index(Map<String, List<Integer>> lists) {
        Map<String, int[]> arrays = new HashMap<>();
        lists.forEach((segment, list) -> arrays.put(segment, toArray(list)));
        return new SegmentIndex(arrays);
    }

    private static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Decides one request.
     *
     * @param method         upper-case token as received
     * @param normalizedPath ALREADY normalised by {@link PathNormalizer} (no query)
     * @return a shared, pre-built decision
     */
    public Decision decide(String method, String normalizedPath) {
        Integer methodId = method == null ? null : methodIds.get(method);
        if (methodId == null) {
            return noMatchOtherMethod;
        }
        int m = methodId;
        if (normalizedPath == null || normalizedPath.isEmpty() || normalizedPath.charAt(0) != '/') {
            return noMatchByMethod[m];
        }
        int length = normalizedPath.length();
        int firstEnd = normalizedPath.indexOf('/', 1);
        int[] first = byFirstSegment.rulesFor(normalizedPath, 1, firstEnd < 0 ? length : firstEnd);
        int[] last = byLastSegment.isEmpty() ? SegmentIndex.NONE
                : byLastSegment.rulesFor(normalizedPath, normalizedPath.lastIndexOf('/') + 1, length);
        int[] any = unindexed;
        int a = 0;
        int b = 0;
        int c = 0;
        // Merge three ascending lists so that rules are still tried in file order, each once.
        while (true) {
            int r = Math.min(at(first, a), Math.min(at(last, b), at(any, c)));
            if (r == Integer.MAX_VALUE) {
                break;
            }
            a += at(first, a) == r ? 1 : 0;
            b += at(last, b) == r ? 1 : 0;
            c += at(any, c) == r ? 1 : 0;
            CompiledRule rule = rules[r];
            if (rule.methods[m] && rule.matches(normalizedPath)) {
                return rule.decision;
            }
        }
        return noMatchByMethod[m];
    }

    private static int at(int[] list, int i) {
        return i < list.length ? list[i] : Integer.MAX_VALUE;
    }

    /** The policy's identity in audit records: the config file's SHA-256. */
    public String hash() {
        return hash;
    }

    /** How many rules the policy has (for logs and /readyz). */
    public int ruleCount() {
        return rules.length;
    }

    /** Whether would-deny requests are refused or let through. */
    public Mode mode() {
        return mode;
    }

    @Override
    public String toString() {
        return "Policy[" + rules.length + " rules, " + mode + ", " + hash + "]";
    }

    /** One rule, ready to test: methods by id, split globs and the decision it returns. */
    private static final class CompiledRule {
        final boolean[] methods;
        final PathGlob[] globs;
        final Decision decision;

        CompiledRule(boolean[] methods, PathGlob[] globs, Decision decision) {
            this.methods = methods;
            this.globs = globs;
            this.decision = decision;
        }

        boolean matches(String path) {
            for (PathGlob glob : globs) {
                if (glob.matches(path)) {
                    return true;
                }
            }
            return false;
        }
    }
}
