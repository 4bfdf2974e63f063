namespace OffloadSecurity.Scanners.Core;
internal static class Placeholder;
