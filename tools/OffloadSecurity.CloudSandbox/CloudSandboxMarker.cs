namespace OffloadSecurity.CloudSandbox;

/// <summary>Names the sandbox assembly for <c>WebApplicationFactory&lt;CloudSandboxMarker&gt;</c> in tests.</summary>
public sealed class CloudSandboxMarker;
