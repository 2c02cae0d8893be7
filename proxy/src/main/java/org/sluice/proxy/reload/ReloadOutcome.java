package org.sluice.proxy.reload;

import java.util.List;
import java.util.Locale;
import org.sluice.policy.Policy;

/**
 * What one reload attempt did.
 *
 * @param result     what happened
 * @param trigger    what asked for it: "SIGHUP", "file change", "checksum poll", ...
 * @param inForce    the policy in force afterwards (the new one after OK, else the old one)
 * @param fileSha256 SHA-256 of the file as read; null when it could not be read
 * @param details    the problems, one per line (FILE:LINE:COL: message for an invalid file), or the keys that
 *                   need a restart; empty after OK and UNCHANGED
 */
public record ReloadOutcome(Result result, String trigger, Policy inForce, String fileSha256, List<String> details) {

    public ReloadOutcome {
        details = List.copyOf(details);
    }

    /** The results, with their {@code result} label of {@code sluice_policy_reloads_total}. */
    public enum Result {
        /** The new policy is in force. */
        OK,
        /** The file is the policy in force, byte for byte: nothing to do, and not counted. */
        UNCHANGED,
        /** The file could not be read or is invalid; the old policy stays. */
        ERROR,
        /** A key that only a restart can apply changed; the old policy stays, nothing of the file is applied. */
        RESTART_REQUIRED;

        /** The metric label: ok, unchanged, error, restart_required. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
