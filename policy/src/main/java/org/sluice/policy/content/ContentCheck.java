package org.sluice.policy.content;

import org.sluice.policy.Mode;

/**
 * A rule's compiled content checks. Immutable and safe to share between threads; built once when the policy loads.
 */
public interface ContentCheck {

    /** Runs every check the rule sets on one request, in a fixed order, and says which refused it, if any. */
    ContentVerdict inspect(ContentInput input);

    /** The limits on what many requests may carry together; {@link CumulativeLimits#NONE} when none are set. */
    CumulativeLimits cumulative();

    /**
     * The content checks' own mode ({@code content.mode}): REPORT lets a request they refuse through, recorded as
     * {@code report}; ENFORCE refuses it even under a rule in report mode. Null (the default) follows the rule's mode.
     */
    default Mode mode() {
        return null;
    }
}
