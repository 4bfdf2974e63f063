namespace OffloadSecurity.Cli;

/// <summary>What <c>offload</c> returns, so scripts can tell failures apart.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>
    /// The platform answered with an error (validation, not found, a failed sync), a local file is missing or not what
    /// it should be (a key, a kubeconfig, a certificate, an export's folder), or the user answered no to a confirmation.
    /// </summary>
    public const int Failed = 1;
    /// <summary>The command line is wrong (missing or conflicting options), or a confirmation is needed and cannot be asked (use --yes).</summary>
    public const int Usage = 2;
    /// <summary>The platform could not be reached.</summary>
    public const int Unreachable = 3;
    /// <summary>The platform refused the token (401) or its role (403).</summary>
    public const int AuthRefused = 4;
}

/// <summary>A failure to report to the user, with the message to show and the exit code to return.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
