using System.Diagnostics;
using Tessera.Distributed.Runtime;
using Tessera.Distributed.TestUserCode;
using static Tessera.Distributed.Tests.Runtime.TestFunctions;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>
/// User code uploaded through the scheduler: the closures come from Tessera.Distributed.TestUserCode,
/// which the workers do not have unless the client uploads it.
/// </summary>
[Collection(nameof(DataMovementTests))]
public sealed class CodeUploadTests
{
    [Fact]
    public async Task WorkerProcessWithoutAppBase_RunsClosuresValuesAndFunctionsOfAnUploadedAssembly()
    {
        string cli = CliWorkers.ProgramPath();
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(cli)!, "Tessera.Distributed.TestUserCode.dll")), "the worker's folder must not hold the user code");
        await using SchedulerHost scheduler = await SchedulerHost.StartAsync(new SchedulerOptions { Address = "tcp://127.0.0.1:0" });
        using Process worker = CliWorkers.Start(scheduler.Address, "--nthreads", "1", "--resources", "GPU=1");
        try
        {
            await CliWorkers.WaitForWorkersAsync(scheduler, 1, worker);
            await using Client client = await Client.ConnectAsync(scheduler.Address);
            CancellationToken ct = TestContext.Current.CancellationToken;
            TimeSpan limit = TimeSpan.FromSeconds(60);

            Func<double, Point> scale = UserFunctions.Scale(new Point(3, 4), shift: 0.5);
            using Future<Point> scaled = client.Submit(scale, 2.0);
            Assert.Equal(scale(2.0), await scaled.ResultAsync(ct).WaitAsync(limit, ct));
            using Future<double> length = client.Submit(UserFunctions.Length, scaled);
            Assert.Equal(scale(2.0).Length, await length.ResultAsync(ct).WaitAsync(limit, ct));

            IReadOnlyList<Future<Point>> scattered = await client.ScatterAsync([new Point(6, 8)], cancellationToken: ct).WaitAsync(limit, ct);
            using Future<double> scatteredLength = client.Submit(UserFunctions.Length, scattered[0], resources: new Dictionary<string, double> { ["GPU"] = 1 });
            Assert.Equal(10.0, await scatteredLength.ResultAsync(ct).WaitAsync(limit, ct));

            IReadOnlyDictionary<string, bool> collectible = await client.RunAsync(UserFunctions.LoadedAsUploadedCode(), cancellationToken: ct).WaitAsync(limit, ct);
            Assert.True(Assert.Single(collectible).Value, "the worker must run the uploaded build, from a collectible load context");
            scattered[0].Dispose();
        }
        finally
        {
            await CliWorkers.StopAsync(worker);
        }
    }

    [Fact]
    public async Task UploadedCode_ReachesAJoiningWorker_AndIsUnloadedWhenTheClientLeaves()
    {
        await using InProcessCluster cluster = await InProcessCluster.StartAsync(InMemoryNetwork.Instance, TestSerializers.Create(), workers: 1, threads: 1, uploadCode: true);
        Client client = cluster.Client;
        using (Future<double> five = client.Submit(UserFunctions.Length, new Point(3, 4)))
        {
            Assert.Equal(5.0, await five.ResultAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Single(cluster.Workers[0].CodeSessions);
        await using WorkerServer late = await WorkerServer.StartAsync(InMemoryNetwork.Instance, TestSerializers.Create(), cluster.Scheduler.Address, "memory://0", 1, name: "late");
        await WaitUntil(() => cluster.Scheduler.WorkerCount == 2, "the late worker joining");
        Assert.Single(late.CodeSessions);
        IReadOnlyDictionary<string, bool> uploaded = await client.RunAsync(UserFunctions.LoadedAsUploadedCode(), [late.Address]).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(uploaded[late.Address]);

        await client.DisposeAsync();
        await WaitUntil(() => cluster.Workers[0].CodeSessions.Count == 0 && late.CodeSessions.Count == 0, "the workers unloading the session");
    }

    [Fact]
    public async Task ClientWithoutUpload_WorkersKeepNoSession()
    {
        await using InProcessCluster cluster = await InProcessCluster.StartAsync(InMemoryNetwork.Instance, TestSerializers.Create(), workers: 1, threads: 1);
        using Future<double> five = cluster.Client.Submit(UserFunctions.Length, new Point(3, 4));
        Assert.Equal(5.0, await five.ResultAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(cluster.Workers[0].CodeSessions);
    }

    [Fact]
    public async Task UploadAssemblyAsync_AnotherBuildOfAnUploadedAssembly_IsRefusedNamingBothMvids()
    {
        await using InProcessCluster cluster = await InProcessCluster.StartAsync(InMemoryNetwork.Instance, TestSerializers.Create(), workers: 1, threads: 1, uploadCode: true);
        Client client = cluster.Client;
        string original = typeof(Point).Assembly.Location;
        Guid mvid = typeof(Point).Assembly.ManifestModule.ModuleVersionId;
        await client.UploadAssemblyAsync(typeof(Point).Assembly).WaitAsync(TimeSpan.FromSeconds(30));
        await client.UploadAssemblyAsync(original).WaitAsync(TimeSpan.FromSeconds(30));

        string dir = Path.Combine(Path.GetTempPath(), "tessera-upload-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            Guid rebuilt = Guid.NewGuid();
            string other = Path.Combine(dir, Path.GetFileName(original));
            await File.WriteAllBytesAsync(other, WithMvid(await File.ReadAllBytesAsync(original), mvid, rebuilt));
            InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => client.UploadAssemblyAsync(other));
            Assert.Contains("'Tessera.Distributed.TestUserCode'", e.Message, StringComparison.Ordinal);
            Assert.Contains(mvid.ToString(), e.Message, StringComparison.Ordinal);
            Assert.Contains(rebuilt.ToString(), e.Message, StringComparison.Ordinal);

            string notAnAssembly = Path.Combine(dir, "notes.dll");
            await File.WriteAllTextAsync(notAnAssembly, "not an assembly");
            await Assert.ThrowsAsync<BadImageFormatException>(() => client.UploadAssemblyAsync(notAnAssembly));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        // The session still works with the build it has.
        using Future<double> five = client.Submit(UserFunctions.Length, new Point(3, 4));
        Assert.Equal(5.0, await five.ResultAsync().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    // Another "build" of the same assembly: the same bytes with a different module version id.
    private static byte[] WithMvid(byte[] image, Guid from, Guid to)
    {
        byte[] old = from.ToByteArray(), fresh = to.ToByteArray();
        int replaced = 0;
        for (int i = image.AsSpan().IndexOf(old); i >= 0; i = image.AsSpan().IndexOf(old))
        {
            fresh.CopyTo(image, i);
            replaced++;
        }

        Assert.True(replaced > 0, "the MVID was not found in the assembly file");
        return image;
    }
}
