/**
 * The config file (version 1): {@link org.sluice.policy.config.ConfigLoader} reads YAML with positions, validates
 * every key and value, and returns immutable records, or a {@link org.sluice.policy.config.ConfigException} listing
 * each problem as "file:line:col: what is wrong; what is expected".
 */
package org.sluice.policy.config;
