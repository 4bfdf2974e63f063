using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.Scanners.Aws.Assets.Sdk;

/// <summary>
/// The SDK clients of one scan: one per access key and region, made on first use and disposed with the scan. Renewed
/// credentials (a new access key) get a new client; calls in flight keep the one they started with.
/// </summary>
public sealed class SdkClients<TClient>(Func<AwsCredentials, string, TClient> create) : IDisposable
    where TClient : class, IDisposable
{
    private readonly Dictionary<(string AccessKeyId, string Region), TClient> _clients = [];
    private readonly Lock _lock = new();

    public TClient For(AwsCredentials credentials, string region)
    {
        lock (_lock)
        {
            var key = (credentials.AccessKeyId, region);
            if (!_clients.TryGetValue(key, out var client))
            {
                client = create(credentials, region);
                _clients[key] = client;
            }

            return client;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var client in _clients.Values)
            {
                client.Dispose();
            }

            _clients.Clear();
        }
    }
}
