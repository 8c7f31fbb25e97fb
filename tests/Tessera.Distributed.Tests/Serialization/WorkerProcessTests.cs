using System.Buffers;
using System.Diagnostics;
using Nerdbank.MessagePack;
using Tessera.Distributed.Serialization;
using Tessera.Distributed.TestUserCode;

namespace Tessera.Distributed.Tests.Serialization;

/// <summary>
/// Ships closures from Tessera.Distributed.TestUserCode to a separate worker process that does not
/// reference that assembly: it must arrive as an upload and load into a collectible context.
/// </summary>
public sealed class WorkerProcessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ClosureFromUnreferencedAssembly_RunsInSeparateProcess()
    {
        Func<double, Point> scale = UserFunctions.Scale(new Point(3, 4), shift: 0.5);

        object?[] reply = await RunInWorkerAsync(scale, [2.0]);

        Assert.Equal(scale(2.0), reply[0]);
        Assert.Equal("lambda", reply[1]);
        Assert.Equal(true, reply[2]);
        Assert.StartsWith("Typed", (string)reply[3]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NestedGenericAndCollectionClosures_RunInSeparateProcess()
    {
        object?[] nested = await RunInWorkerAsync(UserFunctions.Nested(5), [1]);
        object?[] generic = await RunInWorkerAsync(UserFunctions.Describe(new Point(1, 2)), [7]);
        Point[] points = [new(3, 4), new(6, 8), new(0, 1)];
        object?[] sum = await RunInWorkerAsync(UserFunctions.SumLengths(points, 2), [2]);

        Assert.Equal(12, nested[0]);
        Assert.Equal($"{new Point(1, 2)}:7", generic[0]);
        Assert.Equal(30.0, sum[0]);
    }

    [Fact]
    public async Task WorkerFailure_ComesBackAsRemoteException()
    {
        Func<int, int> divide = UserFunctions.Nested(0);
        Func<int, int> failing = x => divide(x) / (x - x);

        object?[] reply = await RunInWorkerAsync(failing, [3], expectFailure: true);

        var remote = Assert.IsType<RemoteException>(reply[0]);
        Assert.Equal("System.DivideByZeroException", remote.RemoteTypeName);
        Assert.Contains(nameof(WorkerFailure_ComesBackAsRemoteException), remote.RemoteStackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerWithoutUpload_RefusesTheUserType()
    {
        Func<double, Point> scale = UserFunctions.Scale(new Point(3, 4), shift: 0.5);

        object?[] reply = await RunInWorkerAsync(scale, [2.0], expectFailure: true, upload: false);

        var remote = Assert.IsType<RemoteException>(reply[0]);
        Assert.Equal(typeof(FunctionSerializationException).FullName, remote.RemoteTypeName);
        Assert.Contains("needs assembly 'Tessera.Distributed.TestUserCode', which this worker does not have", remote.Message, StringComparison.Ordinal);
    }

    private async Task<object?[]> RunInWorkerAsync(Delegate function, object?[] arguments, bool expectFailure = false, bool upload = true)
    {
        string worker = WorkerPath();
        Assert.False(
            File.Exists(Path.Combine(Path.GetDirectoryName(worker)!, "Tessera.Distributed.TestUserCode.dll")),
            "the worker's folder must not hold the user code");

        var serializer = new TesseraSerializer();
        FunctionPayload payload = serializer.SerializeFunction(function);
        var catalog = new AssemblyCatalog();
        IReadOnlyList<ShippedAssembly> assemblies = upload ? catalog.Resolve(payload.UserAssemblies) : [];
        if (upload)
        {
            Assert.Contains(assemblies, a => a.Name == "Tessera.Distributed.TestUserCode");
            Assert.DoesNotContain(assemblies, a => a.Name.StartsWith("System.", StringComparison.Ordinal) || a.Name is "Tessera" or "Tessera.Distributed");
        }

        EncodeContext context = serializer.CreateEncodeContext();
        var header = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(header);
        writer.WriteArrayHeader(3);
        TesseraSerializer.WriteAssemblies(ref writer, assemblies, context);
        writer.Write(payload.Bytes.Span);
        serializer.WriteValue(ref writer, arguments, context);
        writer.Flush();
        var job = new SerializedMessage(header.WrittenMemory, [.. context.Buffers]);

        string dir = Path.Combine(Path.GetTempPath(), "tessera-worker-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        try
        {
            string jobFile = Path.Combine(dir, "job.bin");
            string resultFile = Path.Combine(dir, "result.bin");
            await File.WriteAllBytesAsync(jobFile, job.ToArray(), TestContext.Current.CancellationToken);

            var start = new ProcessStartInfo(DotnetHost())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(worker);
            start.ArgumentList.Add(jobFile);
            start.ArgumentList.Add(resultFile);
            using Process process = Process.Start(start)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            Task<string> stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            output.WriteLine($"job: {job.TotalLength} bytes ({job.Header.Length} header, {job.Buffers.Count} buffers); worker exit {process.ExitCode}");
            output.WriteLine(await stdout);
            output.WriteLine(await stderr);
            Assert.Equal(expectFailure ? 1 : 0, process.ExitCode);

            // The reply may hold user types (Point): this process has the same build and trusts it.
            SerializedMessage reply = SerializedMessage.FromArray(await File.ReadAllBytesAsync(resultFile, TestContext.Current.CancellationToken));
            return (object?[])serializer.DeserializeValue(reply, RoundTrip.Session)!;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The worker's build output, beside this test assembly's: artifacts/bin/&lt;project&gt;/&lt;configuration&gt;/.</summary>
    private static string WorkerPath()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = here.Name;
        string bin = here.Parent!.Parent!.FullName;
        string path = Path.Combine(bin, "Tessera.Distributed.TestWorker", configuration, "Tessera.Distributed.TestWorker.dll");
        Assert.True(File.Exists(path), $"the test worker was not built at {path}; build the solution or the test project");
        return path;
    }

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        return !string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet")) ? Path.Combine(root, "dotnet") : "dotnet";
    }
}
