using System.Net;
using Amazon.Runtime;
using OffloadSecurity.Scanners.Aws.AwsApi;

namespace OffloadSecurity.Scanners.Aws.Assets.Sdk;

/// <summary>
/// Makes a call through an AWS SDK client fail the way our own clients fail: an AWS error answer becomes an
/// <see cref="AwsServiceException"/> with the same code (so <see cref="AwsCallPolicy"/> retries throttling and 5xx,
/// renews expired credentials, and <c>SourceRun</c> tells access denied from rejected credentials), and a request that
/// never got an answer an <see cref="HttpRequestException"/>.
/// </summary>
public static class SdkErrors
{
    public static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonServiceException ex) when (ex.StatusCode != 0 || !string.IsNullOrEmpty(ex.ErrorCode))
        {
            throw Translate(ex);
        }
        catch (AmazonClientException ex) when (ex.InnerException is TaskCanceledException or OperationCanceledException)
        {
            throw new TaskCanceledException("The AWS call timed out.", ex);
        }
        catch (AmazonClientException ex)
        {
            throw new HttpRequestException("The AWS call got no answer: " + ex.Message, ex);
        }
    }

    public static AwsServiceException Translate(AmazonServiceException ex)
    {
        var status = ex.StatusCode == 0 ? HttpStatusCode.InternalServerError : ex.StatusCode;
        var code = string.IsNullOrWhiteSpace(ex.ErrorCode) ? $"Http{(int)status}" : ex.ErrorCode.Trim();
        return new AwsServiceException(status, code, $"{code}: {ex.Message}");
    }
}
