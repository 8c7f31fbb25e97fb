using System.Buffers;
using System.Diagnostics;
using System.Runtime.Loader;
using Nerdbank.MessagePack;
using Tessera.Distributed.Serialization;
using Tessera.Graphs;

// Reads a job (uploaded assemblies, a function payload, its arguments) from the file named by the
// first argument, runs the function, and writes [result, function name, whether the function's
// code lives in a collectible load context, the TaskFunction's type, decode microseconds] to the
// file named by the second argument. Exit code 0 on success; on failure the exception is written
// as the result and the exit code is 1.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Tessera.Distributed.TestWorker <job-file> <result-file>");
    return 2;
}

var serializer = new TesseraSerializer();
using var session = new CodeSession("test-client");
object? result;
string functionName = string.Empty;
bool collectible = false;
string wrapper = string.Empty;
double decodeMicroseconds = 0;
int exitCode = 0;
try
{
    SerializedMessage job = SerializedMessage.FromArray(File.ReadAllBytes(args[0]));
    DecodeContext context = serializer.CreateDecodeContext(job, session);
    var reader = new MessagePackReader(job.Header);
    if (reader.ReadArrayHeader() != 3)
    {
        throw new InvalidDataException("A job is [assemblies, function, arguments].");
    }

    var clock = Stopwatch.StartNew();
    session.AddAssemblies(TesseraSerializer.ReadAssemblies(ref reader, context));
    ReadOnlyMemory<byte> payload = reader.ReadBytes()!.Value.ToArray();
    TaskFunction function = serializer.DeserializeFunction(payload, session);
    var arguments = (object?[])serializer.ReadValue(ref reader, context)!;
    decodeMicroseconds = clock.Elapsed.TotalMicroseconds;

    functionName = function.Name;
    collectible = AssemblyLoadContext.GetLoadContext(function.Delegate.Method.Module.Assembly)?.IsCollectible ?? false;
    wrapper = function.GetType().Name;
    result = function.Invoke(arguments);
    Console.WriteLine($"worker: {functionName}({string.Join(", ", arguments)}) = {result}");
}
catch (Exception e)
{
    Console.Error.WriteLine($"worker: {e}");
    result = e;
    exitCode = 1;
}

var output = new ArrayBufferWriter<byte>();
EncodeContext outContext = serializer.CreateEncodeContext();
var writer = new MessagePackWriter(output);
serializer.WriteValue(ref writer, new object?[] { result, functionName, collectible, wrapper, decodeMicroseconds }, outContext);
writer.Flush();
File.WriteAllBytes(args[1], new SerializedMessage(output.WrittenMemory, [.. outContext.Buffers]).ToArray());
return exitCode;
