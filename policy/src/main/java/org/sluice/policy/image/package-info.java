/**
 * Which container images may run under a policy: {@link org.sluice.policy.image.ImageReference} parses and
 * normalises a reference the way Docker does, and {@link org.sluice.policy.image.AlgorithmAllowlist} answers
 * {@code check(reference)} from the config's {@code algorithms} section with an
 * {@link org.sluice.policy.image.ImageCheck}. Pure Java: no Netty types and no I/O; no registry is ever asked.
 */
package org.sluice.policy.image;
