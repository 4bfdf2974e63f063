using OffloadSecurity.Contracts.Findings;

namespace OffloadSecurity.Scanners.Aws.Assets.Checks;

/// <summary>One of our own checks: a stable id (documented in docs/aws-checks.md), what it flags and how to fix it.</summary>
/// <param name="Id">Never reused or renumbered: it is part of every finding's native id and fingerprint.</param>
public sealed record PostureCheck(string Id, string Title, Severity Severity, string Remediation, string RemediationUrl);
