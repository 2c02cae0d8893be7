/**
 * Content checks: what a request body (and the query and header values a rule forwards) may carry. A rule's
 * {@code content:} settings ({@link org.sluice.policy.config.ContentConfig}) are compiled into a
 * {@link org.sluice.policy.content.ContentCheck}, which reads a {@link org.sluice.policy.content.ContentInput} and
 * answers a {@link org.sluice.policy.content.ContentVerdict}: which check refused it and why, with counts, never the
 * matched values. Pure Java: no Netty, no I/O.
 */
package org.sluice.policy.content;
