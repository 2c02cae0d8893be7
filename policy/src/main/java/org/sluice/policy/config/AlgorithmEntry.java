package org.sluice.policy.config;

import java.util.List;
import java.util.Objects;
import org.sluice.policy.image.ImageReference;

/**
 * One entry of the {@code algorithms} allowlist as written: either an {@code image} or a {@code pattern}, each
 * optionally pinned to reviewed {@code digests}.
 *
 * @param image    an {@code image:} entry's reference, normalised but without a default tag (a bare name means any
 *                 tag or digest of that repository); null for a pattern entry
 * @param pattern  a {@code pattern:} entry's Java regex as written, matched in full against a candidate's
 *                 registry/repository (e.g. {@code docker.io/library/ubuntu}); null for an image entry
 * @param digests  the entry's {@code digests} list, each {@code sha256:} and 64 lower-case hex digits; empty when
 *                 absent
 * @param position where the entry starts in the file
 */
public record AlgorithmEntry(ImageReference image, String pattern, List<String> digests, Position position) {

    /** Checks that exactly one of image and pattern is set. */
    public AlgorithmEntry {
        if ((image == null) == (pattern == null)) {
            throw new IllegalArgumentException("an algorithms entry has either an image or a pattern");
        }
        digests = List.copyOf(Objects.requireNonNull(digests, "digests"));
    }

    /** The entry in one line for messages: {@code image: docker.io/library/ubuntu:22.04}, {@code pattern: ...}. */
    public String text() {
        String what = image != null ? "image: " + image : "pattern: " + pattern;
        if (digests.isEmpty()) {
            return what;
        }
        return what + " with " + digests.size() + " pinned digest" + (digests.size() == 1 ? "" : "s");
    }
}
