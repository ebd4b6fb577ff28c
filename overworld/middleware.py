def head_without_body(get_response):
    """Answer HEAD with the headers of GET and no body.

    Django's development server drops the body itself; gunicorn leaves it to the
    application, and a body after a HEAD answer corrupts a kept-alive connection.
    """

    def middleware(request):
        response = get_response(request)
        if request.method == "HEAD" and not response.streaming:
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response

    return middleware
