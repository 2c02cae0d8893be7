package org.sluice.policy;

/** Outcome of one decision. */
public enum Verdict {
    /** A rule allows the request. */
    ALLOW,
    /** No rule allows the request and the policy enforces. */
    DENY,
    /** No rule allows the request, but the policy is in report mode: it is let through and recorded. */
    REPORT
}
