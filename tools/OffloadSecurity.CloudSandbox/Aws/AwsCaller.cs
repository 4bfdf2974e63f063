namespace OffloadSecurity.CloudSandbox.Aws;

/// <summary>Who signed the current request, and for which region and service (its credential scope).</summary>
internal sealed record AwsCaller(SandboxAwsAccount Account, string Region, string Service);
