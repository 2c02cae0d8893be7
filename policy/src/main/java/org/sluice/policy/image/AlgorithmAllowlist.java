package org.sluice.policy.image;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.sluice.policy.config.AlgorithmEntry;
import org.sluice.policy.config.AlgorithmsConfig;

/**
 * The compiled, immutable {@code algorithms} allowlist: which container images may run under a policy.
 *
 * <p>A candidate reference is normalised with {@link ImageReference#parse} and allowed by the first entry, in file
 * order, that matches all of:
 * <ul>
 *   <li>its name: an {@code image} entry's registry/repository equals the candidate's; a {@code pattern} entry's
 *       regex matches the candidate's whole registry/repository, e.g. {@code docker.io/library/ubuntu} (no tag, no
 *       digest, never the familiar {@code ubuntu});
 *   <li>its tag, when the {@code image} entry writes one;
 *   <li>its digests, when the entry pins any ({@code image: NAME@sha256:...} or {@code digests: [...]}): the
 *       candidate's digest must be one of them.
 * </ul>
 * An {@code image} entry with neither tag nor digest allows any tag and digest of its repository. With
 * {@code requireDigest} (the default) a candidate without a digest is refused before any entry is tried. Without an
 * {@code algorithms} section, or with an empty list, no image is allowed.
 */
public final class AlgorithmAllowlist {

    private final boolean present;
    private final boolean requireDigest;
    private final List<CompiledEntry> entries;

    private AlgorithmAllowlist(boolean present, boolean requireDigest, List<CompiledEntry> entries) {
        this.present = present;
        this.requireDigest = requireDigest;
        this.entries = entries;
    }

    /** Compiles a validated section; IllegalArgumentException on a pattern that the loader would have refused. */
    public static AlgorithmAllowlist compile(AlgorithmsConfig config) {
        Objects.requireNonNull(config, "config");
        List<CompiledEntry> entries = new ArrayList<>();
        for (AlgorithmEntry entry : config.allow()) {
            entries.add(CompiledEntry.of(entry));
        }
        return new AlgorithmAllowlist(config.present(), config.requireDigest(), List.copyOf(entries));
    }

    /** Whether the image named by reference may run; never throws on a bad reference (that is a denial). */
    public ImageCheck check(String reference) {
        Objects.requireNonNull(reference, "reference");
        ImageReference candidate;
        try {
            candidate = ImageReference.parse(reference);
        } catch (IllegalArgumentException e) {
            return ImageCheck.deny(ImageReference.shown(reference), "not a valid image reference: " + e.getMessage());
        }
        String image = candidate.toString();
        if (!present) {
            return ImageCheck.deny(image, "the policy has no algorithms section; no image is allowed");
        }
        if (entries.isEmpty()) {
            return ImageCheck.deny(image, "the policy's algorithms list is empty; no image is allowed");
        }
        if (requireDigest && candidate.digest() == null) {
            return ImageCheck.deny(image, "the reference has no digest and the policy requires one "
                    + "(requireDigest: true), because a tag can be re-pointed to other content; give the image as "
                    + "NAME@sha256:<64 hex digits>");
        }
        CompiledEntry nearMiss = null;
        for (CompiledEntry entry : entries) {
            if (entry.matchesName(candidate)) {
                if (entry.refusal(candidate) == null) {
                    return ImageCheck.allow(candidate, entry.entry);
                }
                nearMiss = nearMiss == null ? entry : nearMiss;
            }
        }
        if (nearMiss != null) {
            return ImageCheck.deny(image, "entry at " + nearMiss.entry.position() + " (" + nearMiss.entry.text()
                    + ") allows " + candidate.name() + " only " + nearMiss.refusal(candidate));
        }
        return ImageCheck.deny(image, "no entry in the algorithms list allows " + candidate.name()
                + lookAlikeHint(candidate));
    }

    /** Names an image entry for the same repository elsewhere, the usual sign of a look-alike or mistyped host. */
    private String lookAlikeHint(ImageReference candidate) {
        for (CompiledEntry entry : entries) {
            if (entry.name != null && !candidate.registry().equals(entry.registry)
                    && (candidate.repository().equals(entry.repository) || candidate.name().contains(entry.name))) {
                return "; entry at " + entry.entry.position() + " allows " + entry.name + ", on registry "
                        + entry.registry + ", not " + candidate.registry();
            }
        }
        return "";
    }

    /** One entry, ready to match: an exact name or a compiled regex, and what else it requires. */
    private static final class CompiledEntry {
        private final AlgorithmEntry entry;
        private final String name;
        private final String registry;
        private final String repository;
        private final Pattern pattern;
        private final String tag;
        private final Set<String> digests;

        private CompiledEntry(AlgorithmEntry entry, Pattern pattern, Set<String> digests) {
            this.entry = entry;
            ImageReference image = entry.image();
            this.name = image == null ? null : image.name();
            this.registry = image == null ? null : image.registry();
            this.repository = image == null ? null : image.repository();
            this.tag = image == null ? null : image.tag();
            this.pattern = pattern;
            this.digests = digests;
        }

        static CompiledEntry of(AlgorithmEntry entry) {
            Set<String> digests = new LinkedHashSet<>(entry.digests());
            if (entry.image() != null && entry.image().digest() != null) {
                digests.add(entry.image().digest());
            }
            Pattern pattern = entry.pattern() == null ? null : Pattern.compile(entry.pattern());
            return new CompiledEntry(entry, pattern, Set.copyOf(digests));
        }

        boolean matchesName(ImageReference candidate) {
            return name != null ? name.equals(candidate.name()) : pattern.matcher(candidate.name()).matches();
        }

        /** What the candidate lacks, as the end of a sentence "allows NAME only ..."; null when it lacks nothing. */
        String refusal(ImageReference candidate) {
            if (tag != null && !tag.equals(candidate.tag())) {
                return "with tag " + tag + ", and the reference has "
                        + (candidate.tag() == null ? "no tag" : "tag " + candidate.tag());
            }
            if (!digests.isEmpty() && (candidate.digest() == null || !digests.contains(candidate.digest()))) {
                String pinned = digests.size() == 1 ? "with digest " + digests.iterator().next()
                        : "with one of its " + digests.size() + " pinned digests";
                return pinned + ", and the reference has "
                        + (candidate.digest() == null ? "no digest" : "digest " + candidate.digest());
            }
            return null;
        }
    }
}
