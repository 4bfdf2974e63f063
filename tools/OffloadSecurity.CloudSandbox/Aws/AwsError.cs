namespace OffloadSecurity.CloudSandbox.Aws;

/// <summary>
/// An AWS JSON-protocol error: status code, <c>x-amzn-ErrorType</c> header and
/// <c>{"__type": code, "message": text}</c> body.
/// </summary>
internal sealed class AwsError(int statusCode, string code, string message) : IResult
{
    public static AwsError InvalidInput(string message) => new(StatusCodes.Status400BadRequest, "InvalidInputException", message);

    public static AwsError InvalidSignature(string message) => new(StatusCodes.Status403Forbidden, "InvalidSignatureException", message);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.Headers["x-amzn-ErrorType"] = code;
        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        return response.WriteAsJsonAsync(new Dictionary<string, string> { ["__type"] = code, ["message"] = message });
    }
}
