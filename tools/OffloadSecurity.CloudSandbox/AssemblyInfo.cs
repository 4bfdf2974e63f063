using System.Runtime.CompilerServices;

// The tests check the generator and page tokens directly, besides going through HTTP.
[assembly: InternalsVisibleTo("OffloadSecurity.CloudSandbox.Tests")]
