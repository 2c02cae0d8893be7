package org.sluice.policy;

import org.sluice.policy.content.ContentCheck;

/**
 * A decision is a value: verdict, one-sentence reason, matching rule name (null when none), mode, limits and the
 * request headers that may be forwarded.
 *
 * <p>Policies pre-build every decision they can return, so callers must treat them as shared, immutable values.
 *
 * @param verdict what to do with the request
 * @param reason  one sentence for the audit log and for a refusal's body
 * @param rule    name of the rule that matched, or null when no rule did
 * @param mode    REPORT when the verdict came from report mode (the policy's, for a request no rule matches, or
 *                the matching rule's own), else ENFORCE
 * @param limits  body limits in force for this request
 * @param headers request headers forwarded upstream; every other request header is stripped
 * @param content the matching rule's content checks, or null when it has none (nothing is held or scanned)
 */
public record Decision(Verdict verdict, String reason, String rule, Mode mode, EffectiveLimits limits,
                       HeaderAllowlist headers, ContentCheck content) {

    /** A decision without content checks. */
    public Decision(Verdict verdict, String reason, String rule, Mode mode, EffectiveLimits limits,
                    HeaderAllowlist headers) {
        this(verdict, reason, rule, mode, limits, headers, null);
    }

    /** True when the request goes upstream: allowed, or would-be denied in report mode. */
    public boolean forwards() {
        return verdict != Verdict.DENY;
    }

    /** The audit log's {@code decision} field: "allow", "deny" or "report". */
    public String auditName() {
        return switch (verdict) {
            case ALLOW -> "allow";
            case DENY -> "deny";
            case REPORT -> "report";
        };
    }
}
