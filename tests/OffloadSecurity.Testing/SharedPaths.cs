namespace OffloadSecurity.Testing;

/// <summary>
/// Finds the workplace's <c>shared/</c> folder (reference API shapes and the real-world corpus), which sits
/// beside the repository clone. <c>OFFLOAD_SHARED_DIR</c> overrides the search.
/// </summary>
public static class SharedPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string Reference(params string[] parts) => Path.Combine([Root, "reference", .. parts]);

    public static string Corpus(params string[] parts) => Path.Combine([Root, "corpus", .. parts]);

    private static string FindRoot()
    {
        var configured = Environment.GetEnvironmentVariable("OFFLOAD_SHARED_DIR");
        if (!string.IsNullOrEmpty(configured))
        {
            return Directory.Exists(configured)
                ? configured
                : throw new DirectoryNotFoundException($"OFFLOAD_SHARED_DIR={configured} does not exist.");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "reference")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            "Could not find the shared/ folder (reference + corpus) above " + AppContext.BaseDirectory +
            ". Clone the repository beside it, or set OFFLOAD_SHARED_DIR.");
    }
}
