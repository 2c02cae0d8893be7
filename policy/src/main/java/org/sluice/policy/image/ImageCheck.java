package org.sluice.policy.image;

import org.sluice.policy.config.AlgorithmEntry;

/**
 * Whether an image may run under a policy, as a value: allowed with the entry that allows it, or denied with a
 * one-sentence reason.
 *
 * @param allowed true when an entry allows the image
 * @param image   the canonical reference (registry/repository[:tag][@digest]) when it parsed, else the text as
 *                given, shortened to one line
 * @param entry   the first entry in file order that allows the image; null when denied
 * @param reason  why the image is denied, one sentence; null when allowed
 */
public record ImageCheck(boolean allowed, String image, AlgorithmEntry entry, String reason) {

    static ImageCheck allow(ImageReference image, AlgorithmEntry entry) {
        return new ImageCheck(true, image.toString(), entry, null);
    }

    static ImageCheck deny(String image, String reason) {
        return new ImageCheck(false, image, null, reason);
    }

    /**
     * One line for people and logs: {@code allowed: IMAGE (entry at FILE:LINE:COL: ENTRY)} or
     * {@code denied: IMAGE: REASON}.
     */
    public String line() {
        return allowed
                ? "allowed: " + image + " (entry at " + entry.position() + ": " + entry.text() + ")"
                : "denied: " + image + ": " + reason;
    }
}
