using System.Diagnostics;
using System.Linq.Expressions;
using Tessera.Distributed.Serialization;
using Tessera.Graphs;

namespace Tessera.Distributed.Tests.Serialization;

public sealed class FunctionSerializationTests(ITestOutputHelper output)
{
    private static TaskFunction Ship(Delegate function, string? name = null, TesseraSerializer? serializer = null)
    {
        serializer ??= RoundTrip.Serializer;
        FunctionPayload payload = serializer.SerializeFunction(function, name);
        return serializer.DeserializeFunction(payload.Bytes, RoundTrip.Session);
    }

    [Fact]
    public void StaticLambda_RunsAfterShipping()
    {
        TaskFunction f = Ship(static (int x) => x * 3);
        Assert.Equal(6, f.Invoke([2]));
        Assert.Equal(typeof(int), f.ReturnType);
    }

    [Fact]
    public void CapturedLocalsAndRecord_RunAfterShipping()
    {
        var person = new Person("Ann", 30, ["a", "b"]);
        double bonus = 0.5;
        string suffix = "!";
        Func<int, string> f = years => $"{person.Name}{suffix} {person.Age + years + bonus} {person.Tags.Count}";

        Assert.Equal("Ann! 39.5 2", Ship(f).Invoke([9]));
    }

    [Fact]
    public void CapturedThisOfDataClass_RunsAfterShipping()
    {
        var model = new Scaler(2.5, [1, 2, 3]);
        Assert.Equal(15.0, Ship(model.Make()).Invoke([1]));
        Assert.Equal(5.0, Ship(model.Scale).Invoke([2.0]));
    }

    [Fact]
    public void NestedClosures_RunAfterShipping()
    {
        int a = 5;
        Func<int, int> inner = x => x + a;
        Func<int, int> twice = x => inner(inner(x));
        Func<int, int> outer = y => twice(y) * 2;
        Assert.Equal(20, Ship(outer).Invoke([0]));
        Assert.Equal(outer(7), Ship(outer).Invoke([7]));
    }

    [Fact]
    public void RecursiveClosure_RunsAfterShipping()
    {
        Func<int, long>? factorial = null;
        factorial = n => n <= 1 ? 1 : n * factorial!(n - 1);
        Assert.Equal(3628800L, Ship(factorial).Invoke([10]));
    }

    [Fact]
    public void GenericClosure_RunsAfterShipping()
    {
        Assert.Equal("42:3", Ship(MakeGeneric(42)).Invoke([3]));
        Assert.Equal("x:4", Ship(Tessera.Distributed.TestUserCode.UserFunctions.Describe("x")).Invoke([4]));
        Assert.Equal("7,8|2", Ship(GenericHolder<int>.Make([7, 8])).Invoke([2]));
    }

    [Fact]
    public void LocalFunction_RunsAfterShipping()
    {
        int step = 4;
        int Add(int x) => x + step;
        static int Square(int x) => x * x;
        Assert.Equal(7, Ship((Func<int, int>)Add).Invoke([3]));
        TaskFunction square = Ship((Func<int, int>)Square);
        Assert.Equal(81, square.Invoke([9]));
        Assert.Equal("Square", square.Name);
    }

    [Fact]
    public async Task AsyncLambda_RunsAfterShipping()
    {
        double rate = 1.5;
        Func<int, Task<double>> f = async x =>
        {
            await Task.Yield();
            return x * rate;
        };

        var task = (Task<double>)Ship(f).Invoke([3])!;
        Assert.Equal(4.5, await task);
    }

    [Fact]
    public void FrameworkMethodGroup_ShipsNoAssembly()
    {
        FunctionPayload payload = RoundTrip.Serializer.SerializeFunction((Func<double, double>)Math.Sqrt);
        Assert.Empty(payload.UserAssemblies);
        TaskFunction f = RoundTrip.Serializer.DeserializeFunction(payload.Bytes, session: null);
        Assert.Equal(Math.Sqrt(3), (double)f.Invoke([3.0])!, 12);
        Assert.Equal("Sqrt", f.Name);

        TaskFunction generic = Ship((Func<IEnumerable<int>, int>)Enumerable.Count);
        Assert.Equal(3, generic.Invoke([new[] { 1, 2, 3 }]));

        var set = new HashSet<int> { 4 };
        Assert.Equal(true, Ship((Func<int, bool>)set.Contains).Invoke([4]));
    }

    [Fact]
    public void ShippedFunction_IsWrappedInATypedTaskFunction()
    {
        int k = 1;
        TaskFunction f = Ship((Func<int, int, int>)((a, b) => a + b + k), "add");
        TaskFunction reference = TaskFunction.Create<int, int, int>((a, b) => a + b);
        Assert.Equal(reference.GetType().GetGenericTypeDefinition(), f.GetType().GetGenericTypeDefinition());
        Assert.Equal("add", f.Name);
        Assert.Equal(2, f.Arity);
        Assert.Throws<InvalidCastException>(() => f.Invoke(["no", 1]));
    }

    [Fact]
    public void SharedDisplayClass_LeavesTheUnusedCaptureBehind()
    {
        double[] big = new double[200_000];
        int small = 3;
        Func<int, int> uses = x => x + small;
        Func<double> other = () => big.Sum();
        GC.KeepAlive(other);
        var serializer = new TesseraSerializer();

        FunctionPayload payload = serializer.SerializeFunction(uses);

        Assert.Null(payload.Warning);
        Assert.True(payload.Bytes.Length < 4096, $"payload is {payload.Bytes.Length} bytes");
        Assert.Equal(4, serializer.DeserializeFunction(payload.Bytes, RoundTrip.Session).Invoke([1]));
    }

    [Fact]
    public void LargeCapture_WarnsNamingIt()
    {
        double[] big = new double[200_000];
        big[7] = 2;
        Func<double> usesBig = () => big.Sum();
        var serializer = new TesseraSerializer();
        PayloadWarning? raised = null;
        serializer.LargeFunctionPayload += (_, w) => raised = w;

        FunctionPayload payload = serializer.SerializeFunction(usesBig);

        Assert.NotNull(payload.Warning);
        Assert.Same(payload.Warning, raised);
        Assert.Equal("fn.Target.big", payload.Warning!.DominantPath);
        Assert.Equal("function payload is 1.5 MB; captured field 'big' (double[200000]) dominates — scatter it or pass it as an argument", payload.Warning.Message);
        output.WriteLine(payload.Warning.Message);
        Assert.Equal(2.0, serializer.DeserializeFunction(payload.Bytes, RoundTrip.Session).Invoke([]));
    }

    [Fact]
    public void SmallPayload_RaisesNoWarning()
    {
        int k = 2;
        Assert.Null(RoundTrip.Serializer.SerializeFunction((Func<int, int>)(x => x * k)).Warning);
    }

    [Fact]
    public void Payload_IsCachedPerTaskFunctionAndDecodedOncePerSession()
    {
        int k = 2;
        var function = TaskFunction.Create<int, int>(x => x * k, "double");
        var serializer = new TesseraSerializer();
        FunctionPayload first = serializer.SerializeFunction(function);
        Assert.Same(first, serializer.SerializeFunction(function));
        FunctionPayload byDelegate = serializer.SerializeFunction(function.Delegate);
        Assert.Same(byDelegate, serializer.SerializeFunction(function.Delegate));

        using var session = new CodeSession("cache", trustApplicationAssemblies: true);
        TaskFunction a = serializer.DeserializeFunction(first.Bytes, session);
        TaskFunction b = serializer.DeserializeFunction(first.Bytes.ToArray(), session);
        Assert.Same(a, b);
        Assert.Equal(1, session.CachedFunctionCount);
        Assert.Equal(32, first.HashText.Length);
    }

    [Fact]
    public void SimpleClosure_ReportsPayloadSizeAndSpeed()
    {
        int offset = 10;
        double scale = 1.5;
        Func<int, double> f = x => (x + offset) * scale;
        var serializer = new TesseraSerializer();
        FunctionPayload payload = serializer.SerializeFunction(f, "affine");
        using var session = new CodeSession("speed", trustApplicationAssemblies: true);
        serializer.DeserializeFunction(payload.Bytes, session);

        const int rounds = 2000;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < rounds; i++)
        {
            payload = serializer.SerializeFunction(f, "affine"); // a name bypasses the cache: a full encode each time
        }

        double encodeUs = clock.Elapsed.TotalMicroseconds / rounds;
        clock.Restart();
        for (int i = 0; i < rounds; i++)
        {
            serializer.DecodeFunction(payload.Bytes, session); // the full decode, bypassing the session's cache
        }

        double decodeUs = clock.Elapsed.TotalMicroseconds / rounds;
        clock.Restart();
        for (int i = 0; i < rounds; i++)
        {
            serializer.DeserializeFunction(payload.Bytes, session);
        }

        double cachedUs = clock.Elapsed.TotalMicroseconds / rounds;
        output.WriteLine($"simple closure: {payload.Bytes.Length} bytes, encode {encodeUs:0.0} µs, decode {decodeUs:0.0} µs (cached by hash: {cachedUs:0.00} µs)");
        Assert.True(payload.Bytes.Length < 400, $"{payload.Bytes.Length} bytes");
    }

    [Fact]
    public void CapturedMemoryStream_IsRefusedWithPath()
    {
        using var stream = new MemoryStream();
        Func<int, long> f = x => x + stream.Length;

        FunctionSerializationException e = Assert.Throws<FunctionSerializationException>(() => RoundTrip.Serializer.SerializeFunction(f));

        Assert.Equal("fn.Target.stream", e.Path);
        Assert.Equal(
            "fn.Target.stream: captured variable of type System.IO.MemoryStream cannot be shipped: it is a resource (IDisposable). Capture only data (numbers, strings, arrays, records), or create the resource inside the function.",
            e.Message);
        Assert.IsAssignableFrom<TesseraException>(e);
    }

    [Fact]
    public void CapturedRandom_IsRefusedWithPath()
    {
        var rng = new Random(1);
        Func<int> f = () => rng.Next();

        FunctionSerializationException e = Assert.Throws<FunctionSerializationException>(() => RoundTrip.Serializer.SerializeFunction(f));

        Assert.Equal("fn.Target.rng", e.Path);
        Assert.Equal(
            "fn.Target.rng: captured variable of type System.Random cannot be shipped: it is not plain data (a random number generator carries hidden state). Create the generator inside the function from a captured seed.",
            e.Message);
    }

    [Fact]
    public void ThisHoldingHttpClient_IsRefusedNamingThisAndTheField()
    {
        var service = new Service(3);
        FunctionSerializationException e = Assert.Throws<FunctionSerializationException>(() => RoundTrip.Serializer.SerializeFunction(service.Make()));

        Assert.Equal("fn.Target._http", e.Path);
        Assert.Equal(
            "fn.Target._http: the function captures 'this' (Tessera.Distributed.Tests.Serialization.Service) because its body uses an instance member, and its member '_http' of type System.Net.Http.HttpClient cannot be shipped: it is a resource (IDisposable). Copy the needed values into locals or make the lambda static.",
            e.Message);

        // Through a display class that also captures a local: the path goes through 'this'.
        FunctionSerializationException e2 = Assert.Throws<FunctionSerializationException>(() => RoundTrip.Serializer.SerializeFunction(service.MakeWithLocal(2)));
        Assert.Equal("fn.Target.this._http", e2.Path);
        Assert.Contains("captures 'this' (Tessera.Distributed.Tests.Serialization.Service)", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThisThatIsDisposable_IsRefusedAtTarget()
    {
        using var owner = new DisposableOwner();
        FunctionSerializationException e = Assert.Throws<FunctionSerializationException>(() => RoundTrip.Serializer.SerializeFunction(owner.Make()));
        Assert.Equal("fn.Target", e.Path);
        Assert.Equal(
            "fn.Target: the function captures 'this' (Tessera.Distributed.Tests.Serialization.DisposableOwner) because its body uses an instance member; it is a resource (IDisposable). Copy the needed values into locals or make the lambda static.",
            e.Message);
    }

    [Fact]
    public void CompiledExpression_IsRefused()
    {
        Expression<Func<int, int>> expression = x => x + 1;
        Func<int, int> compiled = expression.Compile();

        FunctionSerializationException e = Assert.Throws<FunctionSerializationException>(() => RoundTrip.Serializer.SerializeFunction(compiled));

        Assert.Equal("fn", e.Path);
        Assert.StartsWith("fn: delegate targets a dynamic method (compiled Expression<T> or Reflection.Emit)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Multicast_IsRefused()
    {
        Func<int, int> f = x => x;
        f += x => x + 1;

        FunctionSerializationException e = Assert.Throws<FunctionSerializationException>(() => RoundTrip.Serializer.SerializeFunction(f));

        Assert.Equal("fn: multicast delegates (a += b) cannot be shipped; ship one function.", e.Message);
    }

    [Fact]
    public void CapturedMulticastInsideClosure_IsRefusedWithPath()
    {
        Action<int> log = _ => { };
        log += _ => { };
        Func<int, int> f = x =>
        {
            log(x);
            return x;
        };

        FunctionSerializationException e = Assert.Throws<FunctionSerializationException>(() => RoundTrip.Serializer.SerializeFunction(f));
        Assert.Equal("fn.Target.log: multicast delegates (a += b) cannot be shipped; ship one function.", e.Message);
    }

    [Fact]
    public void CapturedTesseraValue_IsRefusedWithFix()
    {
        Delayed<int> d = 5;
        Func<int, int> f = x => x + d.Compute();

        FunctionSerializationException e = Assert.Throws<FunctionSerializationException>(() => RoundTrip.Serializer.SerializeFunction(f));

        Assert.Equal("fn.Target.d", e.Path);
        Assert.Contains("it is a Tessera value", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("Pass it to the task as an argument so that it becomes a graph dependency.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CapturedCancellationTokenSource_IsRefused()
    {
        using var cts = new CancellationTokenSource();
        Func<int, bool> f = _ => cts.IsCancellationRequested;
        Assert.Equal("fn.Target.cts", Assert.Throws<FunctionSerializationException>(() => RoundTrip.Serializer.SerializeFunction(f)).Path);
    }

    [Fact]
    public void CapturedTask_IsRefused()
    {
        Task<int> pending = Task.FromResult(1);
        Func<int, int> f = x => x + pending.Result;
        Assert.Equal("fn.Target.pending", Assert.Throws<FunctionSerializationException>(() => RoundTrip.Serializer.SerializeFunction(f)).Path);
    }

    [Fact]
    public void MvidMismatch_IsDetected()
    {
        int k = 3;
        Func<int, int> f = x => x + k;
        FunctionPayload payload = RoundTrip.Serializer.SerializeFunction(f);
        Guid mvid = typeof(FunctionSerializationTests).Assembly.ManifestModule.ModuleVersionId;
        byte[] bytes = payload.Bytes.ToArray();
        byte[] needle = mvid.ToByteArray();
        int at = bytes.AsSpan().IndexOf(needle);
        Assert.True(at > 0, "the payload carries the user assembly's MVID");
        bytes[at] ^= 0xff;
        var changed = new Guid(bytes.AsSpan(at, 16));

        FunctionSerializationException e = Assert.Throws<FunctionSerializationException>(() => RoundTrip.Serializer.DeserializeFunction(bytes, RoundTrip.Session));

        Assert.Equal($"worker has a different build of 'Tessera.Distributed.Tests' (MVID {mvid} != {changed}); re-upload user code.", e.Message);
    }

    [Fact]
    public void NamedFunction_TravelsByNameOnly()
    {
        var client = new TesseraSerializer();
        var worker = new TesseraSerializer();
        Assert.Equal(1, client.Functions.Register(typeof(Registered).Assembly));
        Assert.Equal(1, worker.Functions.Register(typeof(Registered).Assembly));

        FunctionPayload payload = client.SerializeFunction(TaskFunction.Create<int, int, int>(Registered.Hypot2));

        Assert.True(payload.IsNamed);
        Assert.Empty(payload.UserAssemblies);
        Assert.True(payload.Bytes.Length < 64, $"{payload.Bytes.Length} bytes");
        using var session = new CodeSession("strict");
        TaskFunction f = worker.DeserializeFunction(payload.Bytes, session);
        Assert.Equal(25, f.Invoke([3, 4]));

        FunctionSerializationException e = Assert.Throws<FunctionSerializationException>(() => new TesseraSerializer().DeserializeFunction(payload.Bytes, session: null));
        Assert.Contains("'tests.hypot2' is not registered on this worker", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CodeSession_Dispose_UnloadsUploadedCode()
    {
        WeakReference context = ShipIntoDisposedSession();
        for (int i = 0; i < 20 && context.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(context.IsAlive, "the session's load context should be collectible once disposed");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference ShipIntoDisposedSession()
    {
        var catalog = new AssemblyCatalog();
        Func<double, Tessera.Distributed.TestUserCode.Point> f = Tessera.Distributed.TestUserCode.UserFunctions.Scale(new(1, 2), 3);
        var serializer = new TesseraSerializer();
        FunctionPayload payload = serializer.SerializeFunction(f);
        using var session = new CodeSession("unload");
        session.AddAssemblies(catalog.Resolve(payload.UserAssemblies));
        TaskFunction rebuilt = serializer.DeserializeFunction(payload.Bytes, session);
        Assert.True(System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(rebuilt.Delegate.Method.Module.Assembly)!.IsCollectible);
        Assert.Equal("Point", rebuilt.Invoke([2.0])!.GetType().Name);
        return new WeakReference(session.LoadContext);
    }

    private static Func<int, string> MakeGeneric<T>(T value) => x => $"{value}:{x}";
}

public sealed class Scaler(double factor, int[] weights)
{
    public Func<int, double> Make() => x => factor * weights.Sum() * x;

    public double Scale(double x) => factor * x;
}

// Holds a resource without being one, as services do; the test needs exactly that shape.
#pragma warning disable CA1001
public sealed class Service(int factor)
#pragma warning restore CA1001
{
    private readonly HttpClient _http = new();

    public Func<int, int> Make() => x => x * factor + (_http is null ? 1 : 0);

    public Func<int, int> MakeWithLocal(int local) => x => (x * factor) + local;
}

public sealed class DisposableOwner : IDisposable
{
    private readonly int _k = 2;

    public Func<int, int> Make() => x => x * _k;

    public void Dispose()
    {
    }
}

public static class GenericHolder<T>
{
    public static Func<int, string> Make(T[] items) => n => $"{string.Join(",", items)}|{n}";
}

public static class Registered
{
    [TesseraFunction("tests.hypot2")]
    public static int Hypot2(int a, int b) => (a * a) + (b * b);
}
