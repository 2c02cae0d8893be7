package org.sluice.policy.config;

import java.nio.file.Path;

/**
 * Where the audit log goes.
 *
 * @param path resolved relative to the config file's folder
 */
public record AuditConfig(Path path) {}
