package org.sluice.policy;

/** enforce: deny what no rule allows; report: let would-deny requests through, recorded as "report". */
public enum Mode {
    /** Requests that no rule allows are refused. YAML: {@code enforce}. */
    ENFORCE,
    /** Requests that no rule allows are let through and recorded as {@code report}. YAML: {@code report}. */
    REPORT
}
