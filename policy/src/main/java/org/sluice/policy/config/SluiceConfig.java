package org.sluice.policy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.sluice.policy.Mode;
import org.sluice.policy.net.Cidr;

/**
 * A whole, validated config file (version 1).
 *
 * @param source  the file it was read from (as named)
 * @param sha256  lower-case hex SHA-256 of the file's bytes (UTF-8 of the text for parse()); when rules name files
 *                (a JSON Schema, a fingerprint index), the SHA-256 of the file's hash and each named file's hash and
 *                name, as docs/audit-log.md describes, so that it identifies everything that decides
 * @param version always 1
 * @param mode    enforce or report; default ENFORCE
 * @param allowNetworkAccess false: only the gateway's upstream is reachable, every forward-listener request is
 *                denied (the Ocean C2D shorthand); default true
 * @param gateway the reverse-proxy listener; null when the {@code gateway} key is absent (forward-only: then
 *                {@code forward} is present and allowNetworkAccess is true)
 * @param admin   the admin listener; null when the {@code admin} key is absent
 * @param limits  top-level limits with defaults filled in
 * @param audit   where audit records go; required
 * @param rules   in file order; may be empty (then everything is denied)
 * @param algorithms which container images may run under this policy; {@link AlgorithmsConfig#ABSENT} when the
 *                   file has no {@code algorithms} section; never null
 * @param budgets egress budgets; {@link BudgetsConfig#NONE} when the file has no {@code budgets} section
 * @param allowPrivate non-public address blocks that Sluice may nevertheless connect to (e.g. an on-premises
 *                     central server on 10.20.0.0/16); empty when the key is absent; never null
 * @param forward the HTTP_PROXY/HTTPS_PROXY listener; null when the {@code forward} key is absent
 */
public record SluiceConfig(
        Path source,
        String sha256,
        int version,
        Mode mode,
        boolean allowNetworkAccess,
        GatewayConfig gateway,
        AdminConfig admin,
        Limits limits,
        AuditConfig audit,
        List<RuleConfig> rules,
        AlgorithmsConfig algorithms,
        List<Cidr> allowPrivate,
        ForwardConfig forward,
        BudgetsConfig budgets) {

    /**
     * The files the rules name besides this one (each rule's JSON Schema, then its fingerprint index), resolved
     * against this file's folder, in file order, each once: their contents are part of {@link #sha256()}, and a
     * reload watches them.
     */
    public List<Path> referencedFiles() {
        Path parent = source.toAbsolutePath().getParent();
        Path folder = parent == null ? source.toAbsolutePath() : parent;
        Set<Path> files = new LinkedHashSet<>();
        for (RuleConfig rule : rules) {
            ContentConfig content = rule.content();
            if (content != null && content.jsonSchemaFile() != null) {
                files.add(folder.resolve(content.jsonSchemaFile()).normalize());
            }
            if (content != null && content.protectedData() != null) {
                files.add(folder.resolve(content.protectedData().indexFile()).normalize());
            }
        }
        return List.copyOf(files);
    }

    /** How long a stop waits for requests in flight: gateway.timeouts.shutdownGrace, or its default without a gateway. */
    public Duration shutdownGrace() {
        return gateway == null ? GatewayTimeouts.DEFAULTS.shutdownGrace() : gateway.timeouts().shutdownGrace();
    }

    /** A config without budgets. */
    public SluiceConfig(Path source, String sha256, int version, Mode mode, boolean allowNetworkAccess,
                        GatewayConfig gateway, AdminConfig admin, Limits limits, AuditConfig audit,
                        List<RuleConfig> rules, AlgorithmsConfig algorithms, List<Cidr> allowPrivate,
                        ForwardConfig forward) {
        this(source, sha256, version, mode, allowNetworkAccess, gateway, admin, limits, audit, rules, algorithms,
                allowPrivate, forward, BudgetsConfig.NONE);
    }

    /** A config without a forward listener. */
    public SluiceConfig(Path source, String sha256, int version, Mode mode, boolean allowNetworkAccess,
                        GatewayConfig gateway, AdminConfig admin, Limits limits, AuditConfig audit,
                        List<RuleConfig> rules, AlgorithmsConfig algorithms, List<Cidr> allowPrivate) {
        this(source, sha256, version, mode, allowNetworkAccess, gateway, admin, limits, audit, rules, algorithms,
                allowPrivate, null);
    }
}
