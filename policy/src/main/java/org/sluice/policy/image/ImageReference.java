package org.sluice.policy.image;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A container image reference, parsed and normalised the way Docker does it (its {@code reference} grammar and
 * {@code ParseNormalizedNamed}), so that the text a runtime pulls and the text a policy names compare equal.
 *
 * <p>Normalisation: a first path component is a registry host only if it contains {@code .} or {@code :} or is
 * {@code localhost} (else the registry is {@code docker.io}); {@code index.docker.io} becomes {@code docker.io}
 * (Docker maps it, it is the same registry); a single-component repository on {@code docker.io} gets the
 * {@code library/} prefix; {@link #parse} adds the tag {@code latest} when neither tag nor digest is written. So
 * {@code ubuntu}, {@code library/ubuntu} and {@code docker.io/library/ubuntu:latest} are the same reference.
 *
 * <p>Stricter than Docker, so that the canonical text is always what the runtime uses: a registry host must be
 * lower-case (Docker keeps a host's case, and {@code DOCKER.IO} is not Docker Hub to it), a port is 1 to 65535
 * without leading zeros, and an upper-case first component such as {@code Foo/bar} is refused as an upper-case
 * repository rather than taken as a host. Only {@code sha256} digests are accepted. {@code registry-1.docker.io}
 * is kept as a registry of its own.
 */
public final class ImageReference {

    /** The registry of a name without a host, and the one {@code library/} applies to. */
    public static final String DEFAULT_REGISTRY = "docker.io";
    /** The tag a runtime pulls when the reference has neither tag nor digest. */
    public static final String DEFAULT_TAG = "latest";
    /** Docker's limit for the whole name, registry/repository. */
    public static final int MAX_NAME_CHARS = 255;

    private static final String LEGACY_DEFAULT_REGISTRY = "index.docker.io";
    private static final String OFFICIAL_PREFIX = "library/";
    private static final String SHA256 = "sha256:";
    private static final int SHA256_HEX_DIGITS = 64;
    private static final String EXPECTED = "expected NAME[:TAG][@sha256:DIGEST], e.g. ubuntu:22.04 or "
            + "harbor.example.org/algorithms/average@sha256:<64 hex digits>";

    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]*[a-z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-f.]*:[0-9a-f:.]*]");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    private final String registry;
    private final String repository;
    private final String tag;
    private final String digest;

    private ImageReference(String registry, String repository, String tag, String digest) {
        this.registry = registry;
        this.repository = repository;
        this.tag = tag;
        this.digest = digest;
    }

    /**
     * Parses and normalises a reference as a runtime would pull it: without tag and digest the tag is
     * {@code latest}.
     *
     * @throws IllegalArgumentException with one sentence saying what is wrong and what is expected
     */
    public static ImageReference parse(String text) {
        return parse(text, true);
    }

    /**
     * Like {@link #parse}, but a reference written without tag and digest keeps both null: for an allowlist entry,
     * where a bare name means "any tag or digest of this repository".
     *
     * @throws IllegalArgumentException with one sentence saying what is wrong and what is expected
     */
    public static ImageReference parseWithoutDefaultTag(String text) {
        return parse(text, false);
    }

    /**
     * Checks a digest on its own, as written in an allowlist's {@code digests}: {@code sha256:} and 64 lower-case
     * hex digits.
     *
     * @return the digest unchanged
     * @throws IllegalArgumentException with one sentence saying what is wrong and what is expected
     */
    public static String parseDigest(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("digest '" + shown(text) + "' has no algorithm; expected sha256: "
                    + "followed by 64 lower-case hex digits");
        }
        String algorithm = text.substring(0, colon + 1);
        String hex = text.substring(colon + 1);
        if (!algorithm.equals(SHA256)) {
            throw new IllegalArgumentException("digest algorithm '" + shown(text.substring(0, colon))
                    + "' is not supported; expected sha256: followed by 64 lower-case hex digits");
        }
        if (hex.length() != SHA256_HEX_DIGITS) {
            throw new IllegalArgumentException("digest '" + shown(text) + "' has " + hex.length()
                    + " characters after sha256:; expected 64 lower-case hex digits");
        }
        if (!HEX64.matcher(hex).matches()) {
            throw new IllegalArgumentException("digest '" + shown(text) + "' is not 64 lower-case hex digits "
                    + "(0-9, a-f) after sha256:");
        }
        return text;
    }

    private static ImageReference parse(String text, boolean defaultTag) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new IllegalArgumentException("the reference is empty; " + EXPECTED);
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i)) || Character.isISOControl(text.charAt(i))) {
                throw new IllegalArgumentException("the reference has whitespace or a control character at "
                        + "position " + (i + 1) + "; " + EXPECTED);
            }
        }
        int scheme = text.indexOf("://");
        if (scheme >= 0) {
            throw new IllegalArgumentException("an image reference has no scheme: remove '"
                    + shown(text.substring(0, scheme + 3)) + "'; " + EXPECTED);
        }

        String nameAndTag = text;
        String digest = null;
        int at = text.indexOf('@');
        if (at >= 0) {
            if (text.indexOf('@', at + 1) >= 0) {
                throw new IllegalArgumentException("the reference has more than one '@'; " + EXPECTED);
            }
            digest = parseDigest(text.substring(at + 1));
            nameAndTag = text.substring(0, at);
        }

        String name = nameAndTag;
        String tag = null;
        int colon = nameAndTag.lastIndexOf(':');
        if (colon > nameAndTag.lastIndexOf('/')) {   // a ':' before the last '/' separates a registry's port
            tag = parseTag(nameAndTag.substring(colon + 1));
            name = nameAndTag.substring(0, colon);
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("the reference has no name before its "
                    + (tag != null ? "tag" : "digest") + "; " + EXPECTED);
        }
        if (HEX64.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + shown(name) + "' is an image ID, not a name; expected the "
                    + "image by name, e.g. NAME@sha256:" + shown(name));
        }

        String registry = DEFAULT_REGISTRY;
        String repository = name;
        int slash = name.indexOf('/');
        boolean registryWritten = slash > 0 && isRegistryHost(name.substring(0, slash));
        if (registryWritten) {
            registry = parseRegistry(name.substring(0, slash));
            repository = name.substring(slash + 1);
        }
        if (registry.equals(LEGACY_DEFAULT_REGISTRY)) {
            registry = DEFAULT_REGISTRY;
        }
        checkRepository(repository, registry, registryWritten);
        if (registry.equals(DEFAULT_REGISTRY) && repository.indexOf('/') < 0) {
            repository = OFFICIAL_PREFIX + repository;
        }
        int nameChars = registry.length() + 1 + repository.length();
        if (nameChars > MAX_NAME_CHARS) {
            throw new IllegalArgumentException("the name is " + nameChars + " characters long as "
                    + "registry/repository; expected at most " + MAX_NAME_CHARS);
        }
        if (defaultTag && tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
        return new ImageReference(registry, repository, tag, digest);
    }

    /** Docker's rule; an upper-case first component (which Docker would take as a host) is refused later. */
    private static boolean isRegistryHost(String first) {
        return first.indexOf('.') >= 0 || first.indexOf(':') >= 0 || first.equals("localhost")
                || first.startsWith("[");
    }

    private static String parseTag(String tag) {
        if (tag.isEmpty()) {
            throw new IllegalArgumentException("the tag after ':' is empty; expected a tag such as :22.04, or no ':'");
        }
        if (!TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("tag '" + shown(tag) + "' is not valid; expected 1 to 128 letters, "
                    + "digits, '_', '.' or '-', not starting with '.' or '-'");
        }
        return tag;
    }

    private static String parseRegistry(String hostAndPort) {
        String host = hostAndPort;
        String port = null;
        int portColon = hostAndPort.startsWith("[") ? hostAndPort.indexOf(':', hostAndPort.indexOf(']') + 1)
                : hostAndPort.indexOf(':');
        if (portColon >= 0) {
            host = hostAndPort.substring(0, portColon);
            port = hostAndPort.substring(portColon + 1);
        }
        if (!host.equals(host.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("registry host '" + shown(host) + "' has upper-case letters; "
                    + "expected it in lower-case, '" + shown(host.toLowerCase(Locale.ROOT)) + "'");
        }
        if (!isHost(host)) {
            throw new IllegalArgumentException("registry host '" + shown(host) + "' is not valid; expected a DNS "
                    + "name such as harbor.example.org, an IPv4 address or an [IPv6] address, optionally with "
                    + ":PORT");
        }
        if (port != null && !isPort(port)) {
            throw new IllegalArgumentException("registry port '" + shown(port) + "' is not valid; expected a "
                    + "number from 1 to 65535 without leading zeros");
        }
        return hostAndPort;
    }

    private static boolean isHost(String host) {
        if (host.startsWith("[")) {
            return IPV6.matcher(host).matches();
        }
        if (host.isEmpty()) {
            return false;
        }
        for (String label : host.split("\\.", -1)) {
            if (!DNS_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPort(String port) {
        if (port.isEmpty() || port.length() > 5 || port.charAt(0) == '0'
                || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        return Integer.parseInt(port) <= 65535;
    }

    private static void checkRepository(String repository, String registry, boolean registryWritten) {
        if (repository.isEmpty()) {
            throw new IllegalArgumentException("the reference names registry " + registry
                    + " but no repository after it; " + EXPECTED);
        }
        if (repository.startsWith("/")) {
            throw new IllegalArgumentException("the repository path starts with '/' or has an empty component "
                    + "('//'); expected components separated by single '/'");
        }
        if (repository.endsWith("/")) {
            throw new IllegalArgumentException("the repository path ends with '/'; expected a name after every '/'");
        }
        if (repository.contains("//")) {
            throw new IllegalArgumentException("the repository path has an empty component ('//'); expected "
                    + "components separated by single '/'");
        }
        if (!repository.equals(repository.toLowerCase(Locale.ROOT))) {
            int slash = repository.indexOf('/');
            boolean hostLike = !registryWritten && slash > 0
                    && !repository.substring(0, slash).equals(repository.substring(0, slash).toLowerCase(Locale.ROOT));
            throw new IllegalArgumentException("repository '" + shown(repository) + "' has upper-case letters; "
                    + "expected a lower-case repository name" + (hostLike ? " (a first component is a registry "
                    + "host only if it has '.' or ':' or is localhost, and a host is lower-case too)" : ""));
        }
        for (String component : repository.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException("repository path component '" + shown(component) + "' is not "
                        + "valid; expected lower-case letters and digits, separated by one '.', one or two '_', "
                        + "or dashes");
            }
        }
    }

    /** Values are echoed in reasons; keep them short and on one line. */
    static String shown(String value) {
        String oneLine = value.replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 80) + "...";
    }

    /** The registry host, with its port if written: {@code docker.io}, {@code localhost:5000}. */
    public String registry() {
        return registry;
    }

    /** The repository path within the registry: {@code library/ubuntu}, {@code algorithms/average}. */
    public String repository() {
        return repository;
    }

    /** The tag, or null when there is none (a digest alone, or an entry written without either). */
    public String tag() {
        return tag;
    }

    /** The digest, {@code sha256:} and 64 lower-case hex digits, or null when there is none. */
    public String digest() {
        return digest;
    }

    /** The canonical name, registry/repository, without tag and digest: {@code docker.io/library/ubuntu}. */
    public String name() {
        return registry + "/" + repository;
    }

    /**
     * The shortest name that parses back to this one, as Docker shows it: {@code ubuntu}, {@code user/app},
     * {@code harbor.example.org/algorithms/x}. Unlike Docker's, it keeps {@code docker.io/} when the first component
     * would otherwise be read as a registry host ({@code docker.io/a.b/c}).
     */
    public String familiarName() {
        if (!registry.equals(DEFAULT_REGISTRY)) {
            return name();
        }
        if (repository.startsWith(OFFICIAL_PREFIX) && repository.indexOf('/', OFFICIAL_PREFIX.length()) < 0) {
            return repository.substring(OFFICIAL_PREFIX.length());
        }
        int slash = repository.indexOf('/');
        return slash > 0 && isRegistryHost(repository.substring(0, slash)) ? name() : repository;
    }

    /** The canonical full form, registry/repository[:tag][@digest]; {@link #parse} reads it back unchanged. */
    @Override
    public String toString() {
        return name() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ImageReference that && registry.equals(that.registry)
                && repository.equals(that.repository) && Objects.equals(tag, that.tag)
                && Objects.equals(digest, that.digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(registry, repository, tag, digest);
    }
}
