package org.sluice.policy.config;

import java.util.List;

/**
 * One rule as written: first match wins.
 *
 * @param name     unique within the file
 * @param methods  upper-cased HTTP method tokens
 * @param paths    validated globs, each starting with '/'
 * @param limits   body limit overrides, or null when the rule has none
 * @param position where the rule starts in the file
 */
public record RuleConfig(String name, List<String> methods, List<String> paths, LimitOverrides limits,
                         Position position) {}
